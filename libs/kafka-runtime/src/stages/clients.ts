// Stage "clients": everything an app talks to, connected once — logger, telemetry, Kafka (admin,
// idempotent producer), the schema registry, the mesh.events publisher, the DLQ publisher and,
// for apps that dedupe, the Redis idempotency store. Closing is the reverse, in shutdown.
import { createSchemaRegistry } from '@ingest-mesh/avro';
import { createKafkaClient, type Admin, type KafkaClient, type Producer } from '@ingest-mesh/kafka-client';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createRedisClient, RedisIdempotencyStore, waitUntilReady } from '@ingest-mesh/idempotency';
import {
  createLogger,
  EventPublisher,
  startTelemetry,
  startTracing,
  tracingSettingsOf,
  type Logger,
  type MeshMetrics,
  type Telemetry,
  type Tracing,
} from '@ingest-mesh/telemetry';
import type { RuntimeEnv } from '../config.js';
import { DlqPublisher } from '../dlq-publisher.js';
import { ensureTopics, type TopicSpec } from '../topics.js';

/** max.message.bytes of topics that must carry oversized records to the DLQ (8 MiB). */
export const LARGE_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface Clients {
  instanceId: string;
  logger: Logger;
  telemetry: Telemetry;
  metrics: MeshMetrics;
  /** Spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; TRACING_OFF otherwise. */
  tracing: Tracing;
  kafka: KafkaClient;
  admin: Admin;
  producer: Producer;
  registry: SchemaRegistry;
  events: EventPublisher;
  dlq: DlqPublisher;
  idempotency: RedisIdempotencyStore | undefined;
}

export interface ClientsOptions {
  app: string;
  env: RuntimeEnv;
  instanceId: string;
  dedupe: boolean;
  /** Topics to create when missing, beyond the DLQ, control and events topics. */
  ensureTopics: readonly (string | TopicSpec)[];
}

export async function connectClients(opts: ClientsOptions): Promise<Clients> {
  const { app, env, instanceId } = opts;
  const logger = createLogger({ app, level: env.LOG_LEVEL });
  const telemetry = await startTelemetry({ app, logger });
  const tracing = startTracing({ app, instanceId, settings: tracingSettingsOf(env), logger });
  const kafka = createKafkaClient({ kind: env.MESH_KAFKA_CLIENT, clientId: instanceId, brokers: env.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  const registry = createSchemaRegistry({ host: env.SCHEMA_REGISTRY_URL });
  const dlq = new DlqPublisher({ producer, app });

  await admin.connect();
  await ensureTopics(admin, [
    // The DLQ keeps original bytes, so it must take records as large as any source topic does.
    { topic: dlq.topic, configEntries: [{ name: 'max.message.bytes', value: String(LARGE_MESSAGE_BYTES) }] },
    ...[env.MESH_CONTROL_TOPIC, env.MESH_EVENTS_TOPIC].map((topic) => ({ topic })),
    ...opts.ensureTopics.map((t) => (typeof t === 'string' ? { topic: t } : t)),
  ]);
  await producer.connect();
  const { metrics } = telemetry;
  const events = new EventPublisher({ producer, registry, topic: env.MESH_EVENTS_TOPIC, app, instance: instanceId, logger, metrics });
  return { instanceId, logger, telemetry, metrics, tracing, kafka, admin, producer, registry, events, dlq, idempotency: await idempotencyStore(opts, logger) };
}

async function idempotencyStore(opts: ClientsOptions, logger: Logger): Promise<RedisIdempotencyStore | undefined> {
  if (!opts.dedupe) return undefined;
  const { env, instanceId } = opts;
  const redis = createRedisClient(env.REDIS_URL, { connectionName: instanceId, onError: (err) => logger.debug({ err }, 'redis connection error') });
  // Not fatal: with Redis down, batches wait (fail-closed) or run without dedupe (fail-open).
  await waitUntilReady(redis).catch((err: unknown) => logger.warn({ err }, 'Redis is not reachable yet'));
  return new RedisIdempotencyStore({
    redis,
    ttlSeconds: env.MESH_IDEMPOTENCY_TTL_SECONDS,
    reservationTtlSeconds: env.MESH_IDEMPOTENCY_RESERVATION_SECONDS,
    owner: instanceId,
    whenRedisDown: env.MESH_IDEMPOTENCY_WHEN_REDIS_DOWN,
    onDegraded: (err: unknown) => logger.warn({ err }, 'Redis is down: processing without dedupe (fail-open)'),
  });
}
