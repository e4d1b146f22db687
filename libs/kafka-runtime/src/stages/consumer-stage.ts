// Stage "consumer": the app's source topics through the BatchProcessor, one kafkajs consumer in
// the app's group. An app without source topics (the replay-coordinator) has none; topics can be
// added at run time (the dlq-redriver's new DLQ topics) by restarting the consumer alone — the
// HTTP server, the control listener and the clients stay up.
import type { Consumer } from '@ingest-mesh/kafka-client';
import type { RuntimeEnv } from '../config.js';
import { BatchProcessor } from '../batch-processor.js';
import { ConsumerLoop } from '../consumer-loop.js';
import type { RecordHandler } from '../handler.js';
import type { Clients } from './clients.js';
import type { FlowControl } from './flow-control.js';

export interface ConsumerStage {
  readonly topics: readonly string[];
  /** When each partition's last committed record was produced (for lag in seconds). */
  readonly lastRecordTime: Map<string, number>;
  readonly joined: boolean;
  start(): Promise<void>;
  /** Adds topics: the consumer stops (committing what it handled), subscribes, and runs again. */
  subscribe(topics: readonly string[]): Promise<void>;
  reportSignals(): void;
  /** No new fetches; the batch in progress finishes and commits. */
  stop(): Promise<void>;
}

export interface ConsumerStageOptions {
  env: RuntimeEnv;
  groupId: string;
  topics: readonly string[];
  handler: RecordHandler;
  signal: AbortSignal;
}

export function createConsumerStage(opts: ConsumerStageOptions, clients: Clients, flow: FlowControl): ConsumerStage {
  const { env } = opts;
  const { logger, metrics, events } = clients;
  let topics = [...opts.topics];
  const lastRecordTime = new Map<string, number>();
  let joined = false;
  const processor = new BatchProcessor({
    handler: opts.handler,
    deadLetters: clients.dlq,
    backpressure: flow.backpressure,
    metrics,
    logger,
    idempotency: clients.idempotency,
    retryPolicy: { baseMs: env.MESH_RETRY_BASE_MS, capMs: env.MESH_RETRY_CAP_MS, maxAttempts: env.MESH_RETRY_MAX_ATTEMPTS },
    exhaustedRetries: env.MESH_EXHAUSTED_RETRIES,
    reservationRenewMs: Math.max(250, Math.floor((env.MESH_IDEMPOTENCY_RESERVATION_SECONDS * 1000) / 3)),
  });

  let consumer: Consumer | undefined;
  let loop: ConsumerLoop | undefined;
  // Aborted when this run of the consumer stops (shutdown, or a restart for new topics): backoffs
  // end and the handled prefix is committed, so neither waits for a partition stuck on retries.
  let runAbort = new AbortController();
  flow.onChange({ syncFetching: () => loop?.syncFetching(), reportSignals: () => loop?.reportSignals() });

  const run = async () => {
    if (topics.length === 0) return; // no source topic: control, HTTP and the app's own work only
    runAbort = new AbortController();
    // Linger: a fetch returns once MESH_FETCH_MIN_BYTES are there or MESH_FETCH_MAX_WAIT_MS passed.
    // Keep the wait short: idle fetches return sooner, so shutdown and pause take effect quickly.
    consumer = clients.kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      minBytes: env.MESH_FETCH_MIN_BYTES,
      maxWaitTimeInMs: env.MESH_FETCH_MAX_WAIT_MS,
      maxBytesPerPartition: env.MESH_FETCH_MAX_BYTES_PER_PARTITION,
    });
    consumer.onGroupJoin(() => {
      joined = true;
    });
    consumer.onCrash(({ error, restart }) => {
      joined = false;
      logger.error({ err: error, restart }, 'consumer crashed');
    });
    loop = new ConsumerLoop({
      consumer,
      topics,
      processor,
      backpressure: flow.backpressure,
      concurrency: flow.concurrency,
      maxRecordsPerRound: env.MESH_BATCH_MAX_RECORDS,
      maxBytesPerRound: env.MESH_BATCH_MAX_BYTES,
      partitionsConcurrently: env.MESH_PARTITIONS_CONCURRENCY,
      signal: AbortSignal.any([opts.signal, runAbort.signal]),
      lastRecordTime,
      circuitOpen: flow.circuitOpen,
      tracing: clients.tracing,
      groupId: opts.groupId,
      onRound: (round) => void events.publish('batch.completed', { ...round }),
    });
    await consumer.connect();
    await loop.start();
  };

  const stop = async () => {
    const current = consumer;
    if (!current) return;
    current.pause(topics.map((topic) => ({ topic })));
    runAbort.abort();
    await current.stop(); // waits for the batch in progress, which commits what it handled
    await current.disconnect();
    consumer = undefined;
    loop = undefined;
    joined = false;
  };

  return {
    get topics() {
      return topics;
    },
    lastRecordTime,
    get joined() {
      // An app without source topics is ready once it runs.
      return topics.length === 0 || joined;
    },
    start: run,
    subscribe: async (added) => {
      const fresh = added.filter((t) => !topics.includes(t));
      if (fresh.length === 0) return;
      logger.info({ added: fresh }, 'subscribing to new topics: the consumer restarts, the rest of the app stays up');
      await stop();
      topics = [...topics, ...fresh];
      await run();
    },
    reportSignals: () => loop?.reportSignals(),
    stop,
  };
}
