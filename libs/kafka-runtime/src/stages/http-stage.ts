// Stage "HTTP surface": health (live, ready, detailed), metrics, the token-protected admin
// actions, and the app's own routes (the router's webhook), on one server.
import type { RuntimeEnv } from '../config.js';
import { startHttpServer, type HttpSurface, type RunningHttpServer } from '../http-server.js';
import type { Clients } from './clients.js';
import type { RuntimeAction } from './control-stage.js';
import type { ConsumerStage } from './consumer-stage.js';
import type { FlowControl } from './flow-control.js';

export interface HttpStageOptions {
  app: string;
  env: RuntimeEnv;
  groupId: string;
  consumer: ConsumerStage;
  flow: FlowControl;
  act(action: RuntimeAction): boolean;
  stopping(): boolean;
  lag(): Record<string, string>;
  details?: (() => Promise<Record<string, unknown>>) | undefined;
  route?: HttpSurface['route'] | undefined;
}

export function startHttpStage(opts: HttpStageOptions, clients: Clients): Promise<RunningHttpServer> {
  const { env, flow, consumer } = opts;
  const { backpressure, concurrency, circuits } = flow;
  const surface: HttpSurface = {
    live: () => true,
    ready: () => consumer.joined && !opts.stopping() && backpressure.state !== 'drain',
    detailed: async () => ({
      app: opts.app,
      instance: clients.instanceId,
      kafkaClient: clients.kafka.kind,
      tracing: clients.tracing.describe(),
      group: opts.groupId,
      topics: consumer.topics,
      ready: surface.ready(),
      backpressure: { state: backpressure.state, sampleRate: backpressure.sampleRate, inFlight: concurrency.inFlight, limit: concurrency.limit },
      circuits: circuits.map((c) => ({ name: c.name, state: c.state, ...c.stats() })),
      lag: opts.lag(),
      ...(opts.details ? await opts.details() : {}),
    }),
    metrics: clients.telemetry.metricsHandler,
    admin: async (action) => {
      opts.act(action);
      clients.logger.info({ action }, 'admin action applied');
      return { state: backpressure.state, sampleRate: backpressure.sampleRate };
    },
    ...(opts.route ? { route: opts.route } : {}),
  };
  return startHttpServer({ host: env.MESH_HTTP_HOST, port: env.MESH_HTTP_PORT, adminToken: env.MESH_ADMIN_TOKEN, surface, logger: clients.logger });
}
