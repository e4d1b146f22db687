// The whole environment of the sink-postgres app: the runtime's variables (kafka-runtime), the
// PostgreSQL ones (config.ts) and where the app reads from, validated together at start-up.
import { env, parseEnv, runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import { postgresEnvShape } from './config.js';

export const APP = 'sink-postgres';

export const sinkPostgresEnvShape = {
  ...runtimeEnvShape,
  ...postgresEnvShape,
  /** The sink topic read (ingest-router writes sink.<sink name>). */
  SINK_PG_TOPIC: env.string('sink.postgres').default('sink.postgres'),
  /** Consumer group override; default mesh.sink-postgres. */
  SINK_PG_GROUP_ID: env.optionalString(),
  /** Dead-letter records whose writes keep failing on the infrastructure (see sink-kit); default: wait for PostgreSQL. */
  SINK_PG_DEAD_LETTER_INFRASTRUCTURE_FAILURES: env.bool(false),
  /** How long the breaker stays open before a probe batch. */
  SINK_PG_CIRCUIT_RESET_MS: env.int(100, 3_600_000, 30_000),
};

export type SinkPostgresEnv = ReturnType<typeof loadSinkPostgresEnv>;

export function loadSinkPostgresEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(sinkPostgresEnvShape, source);
}
