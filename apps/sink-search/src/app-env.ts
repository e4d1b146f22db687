// The whole environment of the sink-search app: the runtime's variables (kafka-runtime), the
// search ones (config.ts) and where the app reads from, validated together at start-up.
import { env, parseEnv, runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import { searchEnvShape } from './config.js';

export const APP = 'sink-search';

export const sinkSearchEnvShape = {
  ...runtimeEnvShape,
  ...searchEnvShape,
  /** The sink topic read (ingest-router writes sink.<sink name>). */
  SINK_SEARCH_TOPIC: env.string('sink.search').default('sink.search'),
  /** Consumer group override; default mesh.sink-search. */
  SINK_SEARCH_GROUP_ID: env.optionalString(),
  /** Dead-letter records whose writes keep failing on the infrastructure (see sink-kit); default: wait for OpenSearch. */
  SINK_SEARCH_DEAD_LETTER_INFRASTRUCTURE_FAILURES: env.bool(false),
  /** How long the breaker stays open before a probe batch. */
  SINK_SEARCH_CIRCUIT_RESET_MS: env.int(100, 3_600_000, 30_000),
};

export type SinkSearchEnv = ReturnType<typeof loadSinkSearchEnv>;

export function loadSinkSearchEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(sinkSearchEnvShape, source);
}
