// Wires the libs into one consumer app: config, Kafka, registry, telemetry, idempotency,
// backpressure, DLQ, control commands, HTTP, lag and graceful shutdown. Apps give it a name,
// their source topics and a RecordHandler; everything else is the same in every app.
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { BackpressureController, Semaphore } from '@ingest-mesh/backpressure';
import type { SinkCircuit } from '@ingest-mesh/circuit';
import { ControlCodec, ReplayGuard, type CommandScope, type ControlCommand } from '@ingest-mesh/control';
import { createRedisClient, RedisIdempotencyStore, waitUntilReady } from '@ingest-mesh/idempotency';
import { createLogger, EventPublisher, startTelemetry, type Logger, type MeshMetrics } from '@ingest-mesh/telemetry';
import { BatchProcessor } from './batch-processor.js';
import { parseEnv, runtimeEnvShape, type RuntimeEnv } from './config.js';
import { ConsumerLoop } from './consumer-loop.js';
import { ControlListener, type ControlVerdict } from './control-listener.js';
import { DlqPublisher } from './dlq-publisher.js';
import type { RecordHandler } from './handler.js';
import { startHttpServer, type AdminAction, type HttpSurface, type RunningHttpServer } from './http-server.js';
import { createKafka } from './kafka-client.js';
import { sampleLag } from './lag-monitor.js';
import { ensureTopics, type TopicSpec } from './topics.js';

/** max.message.bytes of topics that must carry oversized records to the DLQ (8 MiB). */
export const LARGE_MESSAGE_BYTES = 8 * 1024 * 1024;

/** What an app's build step gets: the connected clients and state the runtime owns. */
export interface AppContext {
  env: RuntimeEnv;
  instanceId: string;
  kafka: Kafka;
  producer: Producer;
  registry: SchemaRegistry;
  logger: Logger;
  metrics: MeshMetrics;
  backpressure: BackpressureController;
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
  stop(reason?: string): Promise<void>;
}

export async function startMeshApp(opts: MeshAppOptions): Promise<MeshApp> {
  const env = opts.env ?? parseEnv(runtimeEnvShape);
  const instanceId = env.MESH_INSTANCE_ID ?? `${opts.app}-${randomUUID().slice(0, 8)}`;
  const groupId = opts.groupId ?? `mesh.${opts.app}`;
  const logger = createLogger({ app: opts.app, level: env.LOG_LEVEL });
  const telemetry = await startTelemetry({ app: opts.app, logger });
  const { metrics } = telemetry;
  const kafka = createKafka({ clientId: instanceId, brokers: env.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  // Linger: a fetch returns once MESH_FETCH_MIN_BYTES are there or MESH_FETCH_MAX_WAIT_MS passed.
  // Keep the wait short: idle fetches return sooner, so shutdown and pause take effect quickly.
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    minBytes: env.MESH_FETCH_MIN_BYTES,
    maxWaitTimeInMs: env.MESH_FETCH_MAX_WAIT_MS,
    maxBytesPerPartition: env.MESH_FETCH_MAX_BYTES_PER_PARTITION,
  });
  const controlConsumer = kafka.consumer({ groupId: `${groupId}.control.${instanceId}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  const registry = new SchemaRegistry({ host: env.SCHEMA_REGISTRY_URL });
  const dlq = new DlqPublisher({ producer, app: opts.app });

  await admin.connect();
  await ensureTopics(admin, [
    // The DLQ keeps original bytes, so it must take records as large as any source topic does.
    { topic: dlq.topic, configEntries: [{ name: 'max.message.bytes', value: String(LARGE_MESSAGE_BYTES) }] },
    ...[env.MESH_CONTROL_TOPIC, env.MESH_EVENTS_TOPIC].map((topic) => ({ topic })),
    ...(opts.ensureTopics ?? []).map((t) => (typeof t === 'string' ? { topic: t } : t)),
  ]);
  await producer.connect();
  const events = new EventPublisher({ producer, registry, topic: env.MESH_EVENTS_TOPIC, app: opts.app, instance: instanceId, logger, metrics });

  const redis = opts.dedupe
    ? createRedisClient(env.REDIS_URL, { connectionName: instanceId, onError: (err) => logger.debug({ err }, 'redis connection error') })
    : undefined;
  // Not fatal: with Redis down, batches wait (fail-closed) or run without dedupe (fail-open).
  if (redis) await waitUntilReady(redis).catch((err: unknown) => logger.warn({ err }, 'Redis is not reachable yet'));
  const idempotency = redis
    ? new RedisIdempotencyStore({
        redis,
        ttlSeconds: env.MESH_IDEMPOTENCY_TTL_SECONDS,
        reservationTtlSeconds: env.MESH_IDEMPOTENCY_RESERVATION_SECONDS,
        owner: instanceId,
        whenRedisDown: env.MESH_IDEMPOTENCY_WHEN_REDIS_DOWN,
        onDegraded: (err: unknown) => logger.warn({ err }, 'Redis is down: processing without dedupe (fail-open)'),
      })
    : undefined;

  const concurrency = new Semaphore(env.MESH_PARTITIONS_CONCURRENCY);
  const shutdown = new AbortController();
  const lastRecordTime = new Map<string, number>();
  const circuits = opts.circuits ?? [];
  // Assigned below; backpressure transitions reach it only once it exists.
  let loop: ConsumerLoop | undefined = undefined;
  const backpressure: BackpressureController = new BackpressureController({
    onTransition: (t) => {
      metrics.backpressureState(t.to);
      logger.info({ from: t.from, to: t.to, cause: t.cause }, 'backpressure state changed');
      void events.publish('backpressure.changed', { from: t.from, to: t.to, cause: t.cause });
      const limit = env.MESH_PARTITIONS_CONCURRENCY;
      concurrency.setLimit(t.to === 'throttled' ? Math.max(1, Math.floor(limit * backpressure.throttleFactor)) : limit);
      loop?.syncFetching();
    },
  });
  metrics.backpressureState(backpressure.state);
  const circuitOpen = () => circuits.some((c) => c.state === 'open');
  const signalCircuits = () => loop?.reportSignals();
  for (const circuit of circuits) {
    // Reported from the start, so dashboards and alerts see every breaker, not only those that moved.
    metrics.circuitState(circuit.name, circuit.state);
    circuit.onOpen(() => {
      metrics.circuitState(circuit.name, 'open');
      void events.publish('circuit.opened', { circuit: circuit.name });
      signalCircuits();
    });
    circuit.onHalfOpen(() => metrics.circuitState(circuit.name, 'half-open'));
    circuit.onClose(() => {
      metrics.circuitState(circuit.name, 'closed');
      void events.publish('circuit.closed', { circuit: circuit.name });
      signalCircuits();
    });
  }

  const parts = await buildParts(opts, { env, instanceId, kafka, producer, registry, logger, metrics, backpressure });
  const processor = new BatchProcessor({
    handler: parts.handler,
    deadLetters: dlq,
    backpressure,
    metrics,
    logger,
    idempotency,
    retryPolicy: { baseMs: env.MESH_RETRY_BASE_MS, capMs: env.MESH_RETRY_CAP_MS, maxAttempts: env.MESH_RETRY_MAX_ATTEMPTS },
    exhaustedRetries: env.MESH_EXHAUSTED_RETRIES,
    reservationRenewMs: Math.max(250, Math.floor((env.MESH_IDEMPOTENCY_RESERVATION_SECONDS * 1000) / 3)),
  });
  loop = new ConsumerLoop({
    consumer,
    topics: opts.topics,
    processor,
    backpressure,
    concurrency,
    maxRecordsPerRound: env.MESH_BATCH_MAX_RECORDS,
    maxBytesPerRound: env.MESH_BATCH_MAX_BYTES,
    partitionsConcurrently: env.MESH_PARTITIONS_CONCURRENCY,
    signal: shutdown.signal,
    lastRecordTime,
    circuitOpen,
    onRound: (round) => void events.publish('batch.completed', { ...round }),
  });

  const act = async (action: AdminAction | { type: string; sampleRate?: number }): Promise<boolean> => {
    switch (action.type) {
      case 'drain':
      case 'resume':
      case 'pause':
        backpressure.apply({ type: action.type });
        return true;
      case 'brownout':
        backpressure.apply({ type: 'brownout', sampleRate: action.sampleRate ?? 0.5 });
        return true;
      default:
        return false;
    }
  };
  const controlListener = new ControlListener({
    consumer: controlConsumer,
    topic: env.MESH_CONTROL_TOPIC,
    codec: new ControlCodec(registry),
    secrets: [env.MESH_CONTROL_SECRET, ...(env.MESH_CONTROL_SECRET_PREVIOUS ? [env.MESH_CONTROL_SECRET_PREVIOUS] : [])],
    app: opts.app,
    handles: ['runtime', ...(opts.controlScopes ?? [])],
    replayGuard: new ReplayGuard(),
    apply: async (cmd) => {
      const sampleRate = cmd.args['sampleRate'] === undefined ? undefined : Number(cmd.args['sampleRate']);
      if (await act({ type: cmd.type, ...(sampleRate === undefined ? {} : { sampleRate }) })) return true;
      return parts.onControl ? parts.onControl(cmd) : false;
    },
    report: (verdict: ControlVerdict) => reportControl(verdict),
  });
  const reportControl = (verdict: ControlVerdict) => {
    if (verdict.status === 'rejected') {
      logger.warn({ reason: verdict.reason, commandId: verdict.command?.id, issuedBy: verdict.command?.issuedBy }, `control command rejected: ${verdict.message}`);
      void events.publish('control.rejected', { reason: verdict.reason, message: verdict.message, commandId: verdict.command?.id ?? null });
    } else if (verdict.status === 'applied') {
      logger.info({ type: verdict.command.type, commandId: verdict.command.id, issuedBy: verdict.command.issuedBy }, 'control command applied');
      void events.publish('control.applied', { type: verdict.command.type, commandId: verdict.command.id, issuedBy: verdict.command.issuedBy });
    }
  };

  let joined = false;
  let stopping = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  consumer.on(consumer.events.CRASH, (e) => {
    joined = false;
    logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
  });

  const surface: HttpSurface = {
    live: () => true,
    ready: () => joined && !stopping && backpressure.state !== 'drain',
    detailed: async () => ({
      app: opts.app,
      instance: instanceId,
      group: groupId,
      topics: opts.topics,
      ready: surface.ready(),
      backpressure: { state: backpressure.state, sampleRate: backpressure.sampleRate, inFlight: concurrency.inFlight, limit: concurrency.limit },
      circuits: circuits.map((c) => ({ name: c.name, state: c.state, ...c.stats() })),
      lag: lastLag,
      ...(parts.details ? await parts.details() : {}),
    }),
    metrics: telemetry.metricsHandler,
    admin: async (action) => {
      await act(action);
      logger.info({ action }, 'admin action applied');
      return { state: backpressure.state, sampleRate: backpressure.sampleRate };
    },
    ...(parts.route ? { route: parts.route } : {}),
  };
  const http: RunningHttpServer = await startHttpServer({ host: env.MESH_HTTP_HOST, port: env.MESH_HTTP_PORT, adminToken: env.MESH_ADMIN_TOKEN, surface });

  let lastLag: Record<string, string> = {};
  const lagTimer = setInterval(() => {
    sampleLag({
      admin,
      groupId,
      topics: opts.topics,
      lastRecordTime,
      report: (s) => metrics.consumerLag(groupId, s.topic, s.partition, Number(s.lag), s.seconds),
    })
      .then((samples) => {
        lastLag = Object.fromEntries(samples.map((s) => [`${s.topic}:${s.partition}`, s.lag.toString()]));
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not sample consumer lag'));
  }, env.MESH_LAG_INTERVAL_MS);
  lagTimer.unref();
  // Automatic states also recover while no records flow (no rounds report then).
  const signalsTimer = setInterval(() => loop?.reportSignals(), 2000);
  signalsTimer.unref();

  await consumer.connect();
  await controlConsumer.connect();
  await controlListener.start();
  await loop.start();
  logger.info({ instanceId, groupId, topics: opts.topics, httpPort: http.port }, 'started');
  void events.publish('app.started', { instance: instanceId, topics: opts.topics });

  let stopped: Promise<void> | undefined;
  const stop = (reason = 'stop requested') =>
    (stopped ??= (async () => {
      stopping = true;
      logger.info({ reason }, 'stopping: no new fetches, finishing in-flight batches');
      clearInterval(lagTimer);
      clearInterval(signalsTimer);
      consumer.pause(opts.topics.map((topic) => ({ topic })));
      shutdown.abort();
      await consumer.stop(); // waits for the batch in progress, which commits what it handled
      await consumer.disconnect();
      await controlConsumer.disconnect();
      await parts.close?.();
      await events.publish('app.stopped', { instance: instanceId, reason });
      await producer.disconnect();
      await admin.disconnect();
      for (const c of circuits) c.shutdown();
      await idempotency?.close();
      await http.close();
      await telemetry.shutdown();
      logger.info('stopped');
    })());

  return { instanceId, httpPort: http.port, logger, producer, backpressure, stop };
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
export function stopOnSignals(app: MeshApp, deadlineMs: number): MeshApp {
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
