// One consumer app of the mesh, composed of stages (src/stages/): clients, flow control, the
// app's own parts, the consumer, control, HTTP, lag — started in that order, stopped in reverse.
// Apps give it a name, their source topics and a RecordHandler (or a build step that gets the
// runtime's clients); everything else is the same in every app.
import { randomUUID } from 'node:crypto';
import type { Admin, KafkaClient, Producer } from '@ingest-mesh/kafka-client';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { BackpressureController } from '@ingest-mesh/backpressure';
import type { SinkCircuit } from '@ingest-mesh/circuit';
import type { CommandScope, ControlCommand } from '@ingest-mesh/control';
import type { EventPublisher, Logger, MeshMetrics, Tracing } from '@ingest-mesh/telemetry';
import { parseEnv, runtimeEnvShape, type RuntimeEnv } from './config.js';
import type { RecordHandler } from './handler.js';
import type { HttpSurface } from './http-server.js';
import { connectClients, type Clients } from './stages/clients.js';
import { createConsumerStage, type ConsumerStage } from './stages/consumer-stage.js';
import { createControlStage, runtimeActions } from './stages/control-stage.js';
import { wireFlowControl } from './stages/flow-control.js';
import { startHttpStage } from './stages/http-stage.js';
import { startLagStage } from './stages/lag-stage.js';
import type { TopicSpec } from './topics.js';

export { LARGE_MESSAGE_BYTES } from './stages/clients.js';

/** What an app's build step gets: the connected clients and state the runtime owns. */
export interface AppContext {
  env: RuntimeEnv;
  instanceId: string;
  kafka: KafkaClient;
  /** The runtime's admin client (connected; closed by the runtime): topics, offsets, metadata. */
  admin: Admin;
  producer: Producer;
  registry: SchemaRegistry;
  logger: Logger;
  metrics: MeshMetrics;
  /** The app's mesh.events publisher. */
  events: EventPublisher;
  /** Spans of the app's own units of work (the router's webhook requests). */
  tracing: Tracing;
  backpressure: BackpressureController;
  /**
   * Adds source topics: during build they join the consumer's first run; later only the consumer
   * restarts (HTTP, control and clients stay up).
   */
  subscribe(topics: readonly string[]): Promise<void>;
}

/** The app-specific parts, built once the runtime's clients are connected. */
export interface AppParts {
  handler: RecordHandler;
  route?: HttpSurface['route'];
  details?: () => Promise<Record<string, unknown>>;
  onControl?: (command: ControlCommand) => Promise<boolean>;
  /** Called on shutdown after the consumer stopped, before the producer disconnects. */
  close?: () => Promise<void>;
}

export interface MeshAppOptions {
  app: string;
  /** Source topics; none for an app that only acts on commands (the replay-coordinator). */
  topics: string[];
  /** Either a handler, or `build` for apps that need the runtime's producer, registry… */
  handler?: RecordHandler;
  build?: (ctx: AppContext) => Promise<AppParts>;
  groupId?: string;
  env?: RuntimeEnv;
  /** Deduplicate records whose describe() returns a dedupe identity (Redis at REDIS_URL). */
  dedupe?: boolean;
  /** Breakers of the app's sinks: while one is open, consumption pauses. */
  circuits?: SinkCircuit[];
  /** Extra details for /health/detailed (adapters, sinks). */
  details?: () => Promise<Record<string, unknown>>;
  /** Control commands the runtime does not act on itself (redrive, replay…). */
  onControl?: (command: ControlCommand) => Promise<boolean>;
  /**
   * Command scopes besides 'runtime' whose commands reach onControl (libs/control COMMAND_SCOPE):
   * the dlq-redriver passes ['dlq'], the replay-coordinator ['replay']. Default none.
   */
  controlScopes?: CommandScope[];
  /** Extra HTTP routes (e.g. a webhook source). */
  route?: HttpSurface['route'];
  /** Topics to create when missing, beyond the DLQ, control and events topics. */
  ensureTopics?: (string | TopicSpec)[];
}

export interface MeshApp {
  readonly instanceId: string;
  readonly httpPort: number;
  readonly logger: Logger;
  readonly producer: Producer;
  readonly backpressure: BackpressureController;
  /** Adds source topics at run time (see AppContext.subscribe). */
  subscribe(topics: readonly string[]): Promise<void>;
  stop(reason?: string): Promise<void>;
}

export async function startMeshApp(opts: MeshAppOptions): Promise<MeshApp> {
  const env = opts.env ?? parseEnv(runtimeEnvShape);
  const instanceId = env.MESH_INSTANCE_ID ?? `${opts.app}-${randomUUID().slice(0, 8)}`;
  const groupId = opts.groupId ?? `mesh.${opts.app}`;
  const clients = await connectClients({ app: opts.app, env, instanceId, dedupe: opts.dedupe ?? false, ensureTopics: opts.ensureTopics ?? [] });
  const flow = wireFlowControl(env, clients, opts.circuits ?? []);
  const shutdown = new AbortController();
  // The consumer needs the built handler, so topics the build step subscribes to join its first run.
  const late: { consumer?: ConsumerStage } = {};
  const initialTopics = [...opts.topics];
  const subscribe = async (topics: readonly string[]) => {
    if (late.consumer) return late.consumer.subscribe(topics);
    for (const t of topics) if (!initialTopics.includes(t)) initialTopics.push(t);
  };

  const parts = await buildParts(opts, { ...contextOf(env, clients), backpressure: flow.backpressure, subscribe });
  const consumer = (late.consumer = createConsumerStage(
    { env, groupId, topics: initialTopics, handler: parts.handler, signal: shutdown.signal },
    clients,
    flow,
  ));
  const act = runtimeActions(flow);
  const control = createControlStage({ app: opts.app, env, groupId, scopes: opts.controlScopes ?? [], act, onControl: parts.onControl }, clients);
  let stopping = false;
  const lag = startLagStage(env, groupId, consumer, clients);
  const http = await startHttpStage(
    { app: opts.app, env, groupId, consumer, flow, act, stopping: () => stopping, lag: () => lag.last(), details: parts.details, route: parts.route },
    clients,
  );

  await control.start();
  await consumer.start();
  clients.logger.info({ instanceId, groupId, topics: consumer.topics, httpPort: http.port }, 'started');
  void clients.events.publish('app.started', { instance: instanceId, topics: consumer.topics });

  let stopped: Promise<void> | undefined;
  const stop = (reason = 'stop requested') =>
    (stopped ??= (async () => {
      stopping = true;
      clients.logger.info({ reason }, 'stopping: no new fetches, finishing in-flight batches');
      lag.stop();
      shutdown.abort();
      await consumer.stop();
      await control.stop();
      await parts.close?.();
      await clients.events.publish('app.stopped', { instance: instanceId, reason });
      await closeClients(clients, flow.circuits);
      await http.close();
      await clients.telemetry.shutdown();
      await clients.tracing.shutdown(); // exports the spans still queued
      clients.logger.info('stopped');
    })());

  return { instanceId, httpPort: http.port, logger: clients.logger, producer: clients.producer, backpressure: flow.backpressure, subscribe, stop };
}

function contextOf(env: RuntimeEnv, c: Clients): Omit<AppContext, 'backpressure' | 'subscribe'> {
  return {
    env,
    instanceId: c.instanceId,
    kafka: c.kafka,
    admin: c.admin,
    producer: c.producer,
    registry: c.registry,
    logger: c.logger,
    metrics: c.metrics,
    events: c.events,
    tracing: c.tracing,
  };
}

async function closeClients(c: Clients, circuits: readonly SinkCircuit[]): Promise<void> {
  await c.producer.disconnect();
  await c.admin.disconnect();
  for (const circuit of circuits) circuit.shutdown();
  await c.idempotency?.close();
}

async function buildParts(opts: MeshAppOptions, ctx: AppContext): Promise<AppParts> {
  if (opts.build) return opts.build(ctx);
  if (!opts.handler) throw new TypeError(`${opts.app}: give startMeshApp a handler or a build function`);
  return {
    handler: opts.handler,
    ...(opts.route ? { route: opts.route } : {}),
    ...(opts.details ? { details: opts.details } : {}),
    ...(opts.onControl ? { onControl: opts.onControl } : {}),
  };
}

/** Runs an app until SIGTERM/SIGINT, then stops it gracefully within MESH_SHUTDOWN_DEADLINE_MS. */
export async function runMeshApp(opts: MeshAppOptions): Promise<MeshApp> {
  const env = opts.env ?? parseEnv(runtimeEnvShape);
  return stopOnSignals(await startMeshApp({ ...opts, env }), env.MESH_SHUTDOWN_DEADLINE_MS);
}

/** On SIGTERM/SIGINT: stop the app, exit 0; exit 1 if it fails or the deadline passes first. */
export function stopOnSignals<A extends Pick<MeshApp, 'logger' | 'stop'>>(app: A, deadlineMs: number): A {
  const onSignal = (signal: NodeJS.Signals) => {
    const deadline = setTimeout(() => {
      app.logger.error({ signal, deadlineMs }, 'shutdown deadline passed; exiting with in-flight work uncommitted');
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    app.stop(`received ${signal}`).then(
      () => process.exit(0),
      (err: unknown) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return app;
}
