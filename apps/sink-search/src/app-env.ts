// The whole environment of the sink-search app: every sink's variables (sink-kit: runtime,
// SINK_TOPIC, SINK_GROUP_ID…) and the search ones (config.ts), validated together at start-up.
import { parseEnv } from '@ingest-mesh/env-config';
import { sinkEnvShape } from '@ingest-mesh/sink-kit';
import { searchEnvShape } from './config.js';

export const APP = 'sink-search';

export const sinkSearchEnvShape = { ...sinkEnvShape, ...searchEnvShape };

export type SinkSearchEnv = ReturnType<typeof loadSinkSearchEnv>;

export function loadSinkSearchEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(sinkSearchEnvShape, source);
}
