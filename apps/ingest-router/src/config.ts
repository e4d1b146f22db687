// The router's environment: the runtime's variables plus its own, validated at start-up.
import path from 'node:path';
import { env, parseEnv } from '@ingest-mesh/env-config';
import { runtimeEnvShape } from '@ingest-mesh/kafka-runtime';

export const routerEnvShape = {
  ...runtimeEnvShape,
  ROUTER_CONFIG: env.string('apps/ingest-router/config/router.yaml').default(path.resolve(import.meta.dirname, '../config/router.yaml')),
  ROUTER_SOURCE_TOPIC: env.string('ingest.raw').default('ingest.raw'),
  ROUTER_DEFERRED_TOPIC: env.string('ingest.deferred').default('ingest.deferred'),
  ROUTER_ROUTES_TOPIC: env.string('mesh.routes').default('mesh.routes'),
  ROUTER_WEBHOOK_MAX_BODY_BYTES: env.int(1024, 256 * 1024 * 1024, 5 * 1024 * 1024),
  ROUTER_SCHEMA_REFRESH_MS: env.int(1000, 3_600_000, 30_000),
  /** How often the slow lane's waiting records are counted per tenant (gauges, /health/detailed). */
  ROUTER_LANE_SAMPLE_MS: env.int(100, 600_000, 5000),
  /** Consumer group; default mesh.ingest-router. A second router on other topics needs its own. */
  ROUTER_GROUP_ID: env.optionalString(),
};

export type RouterEnv = ReturnType<typeof loadRouterEnv>;

export function loadRouterEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(routerEnvShape, source);
}
