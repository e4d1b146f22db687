// The whole environment of the sink-postgres app: every sink's variables (sink-kit: runtime,
// SINK_TOPIC, SINK_GROUP_ID…) and the PostgreSQL ones (config.ts), validated together at start-up.
import { parseEnv } from '@ingest-mesh/env-config';
import { sinkEnvShape } from '@ingest-mesh/sink-kit';
import { postgresEnvShape } from './config.js';

export const APP = 'sink-postgres';

export const sinkPostgresEnvShape = { ...sinkEnvShape, ...postgresEnvShape };

export type SinkPostgresEnv = ReturnType<typeof loadSinkPostgresEnv>;

export function loadSinkPostgresEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(sinkPostgresEnvShape, source);
}
