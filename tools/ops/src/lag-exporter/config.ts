// mesh-lag-exporter's environment, validated at start-up like every app's (env-config parseEnv).
import { endpointEnv, env, parseEnv } from '@ingest-mesh/env-config';
import { DEFAULT_GROUP_FILTER } from './group-filter.js';

const regex = (example: string) => env.regex(example).transform((v) => new RegExp(v));

export const lagExporterEnvShape = {
  KAFKA_BROKERS: endpointEnv.KAFKA_BROKERS,
  LAG_EXPORTER_HOST: env.string('0.0.0.0').default('127.0.0.1'),
  LAG_EXPORTER_PORT: env.int(0, 65535, 9308),
  /** How often groups are sampled; a time lag is as fine as this. */
  LAG_EXPORTER_INTERVAL_MS: env.int(1000, 600_000, 15_000),
  /** How far back the offset history reaches: time lags beyond it read as at least this. */
  LAG_EXPORTER_HISTORY_MINUTES: env.int(5, 7 * 24 * 60, 24 * 60),
  LAG_EXPORTER_GROUP_INCLUDE: regex('^mesh\\.').default(DEFAULT_GROUP_FILTER.include),
  LAG_EXPORTER_GROUP_EXCLUDE: regex('\\.control\\.').default(DEFAULT_GROUP_FILTER.exclude),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
};

export type LagExporterEnv = ReturnType<typeof loadLagExporterEnv>;

export function loadLagExporterEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(lagExporterEnvShape, source);
}
