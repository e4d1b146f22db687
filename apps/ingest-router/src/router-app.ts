// Assembles the router from its parts on top of the runtime: the schema catalog, the route
// table with its live overrides, data-quality rules, per-tenant buckets, and the webhook.
import { RAW_ENVELOPE_SUBJECT, SchemaCatalog } from '@ingest-mesh/avro';
import { TokenBucket } from '@ingest-mesh/backpressure';
import { createRedisClient, waitUntilReady } from '@ingest-mesh/idempotency';
import { ensureTopics, LARGE_MESSAGE_BYTES, startMeshApp, type AppContext, type AppParts, type MeshApp, type MeshAppOptions } from '@ingest-mesh/kafka-runtime';
import { envelopeOrThrow } from './envelope.js';
import type { RouterEnv } from './config.js';
import { RouterPipeline } from './pipeline.js';
import { loadRouterConfig, type RouterConfig } from './router-config.js';
import { RouteOverridesListener } from './route-overrides.js';
import { RouteTable, sinkTopic } from './routes.js';
import { compileEntityRules } from './rules.js';
import { RedisLaneLedger, type TenantWaiting } from './slow-lane/lane-ledger.js';
import { TenantLanes } from './slow-lane/tenant-lanes.js';
import { createWebhook, kafkaProduce, tokenDigest, webhookOpenApi, type WebhookTenant } from './webhook/index.js';

export const APP = 'ingest-router';

export interface RouterOverrides {
  config?: RouterConfig;
  groupId?: string;
}

export async function startRouter(env: RouterEnv, overrides: RouterOverrides = {}): Promise<MeshApp> {
  return startMeshApp(await routerApp(env, overrides));
}

/** The router on the runtime: its config (ROUTER_CONFIG unless given), topics, and build step. */
export async function routerApp(env: RouterEnv, overrides: RouterOverrides = {}): Promise<MeshAppOptions> {
  const config = overrides.config ?? (await loadRouterConfig(env.ROUTER_CONFIG));
  const sinkTopics = new Set(Object.values(config.entityTypes).flatMap((t) => t.sinks.map(sinkTopic)));
  return {
    app: APP,
    // The deferred topic is the tenants' slow lane: the router drains it itself, at their spare rate.
    topics: [env.ROUTER_SOURCE_TOPIC, env.ROUTER_DEFERRED_TOPIC],
    env,
    dedupe: true,
    ...(overrides.groupId ? { groupId: overrides.groupId } : {}),
    // Raw and deferred topics take oversized records, so they reach the DLQ with a reason.
    ensureTopics: [
      ...[env.ROUTER_SOURCE_TOPIC, env.ROUTER_DEFERRED_TOPIC].map((topic) => ({
        topic,
        configEntries: [{ name: 'max.message.bytes', value: String(LARGE_MESSAGE_BYTES) }],
      })),
      ...sinkTopics,
    ],
    build: (ctx) => buildRouter(env, config, ctx),
  };
}

async function buildRouter(env: RouterEnv, config: RouterConfig, ctx: AppContext): Promise<AppParts> {
  const catalog = new SchemaCatalog({ registry: ctx.registry, refreshMs: env.ROUTER_SCHEMA_REFRESH_MS });
  const table = new RouteTable(config);
  const overrides = new RouteOverridesListener({ kafka: ctx.kafka, table, logger: ctx.logger, topic: env.ROUTER_ROUTES_TOPIC });
  await overrides.start(); // route with every override known, from the first record on
  const rules = compileEntityRules(config);
  const limits = new Map(Object.entries(config.tenants).map(([tenant, t]) => [tenant, { ratePerSec: t.ratePerSec ?? 1000, burst: t.burst ?? 2000 }]));
  const redis = createRedisClient(env.REDIS_URL, {
    connectionName: `${ctx.instanceId}-lanes`,
    onError: (err) => ctx.logger.debug({ err }, 'redis connection error (slow lane)'),
  });
  // Not fatal: while Redis is down, rounds that need the lanes' ledger are retried.
  await waitUntilReady(redis).catch((err: unknown) => ctx.logger.warn({ err }, 'Redis is not reachable yet (slow lane)'));
  const lanes = new TenantLanes(limits, new RedisLaneLedger(redis, env.ROUTER_DEFERRED_TOPIC), {
    whenLedgerDown: env.MESH_IDEMPOTENCY_WHEN_REDIS_DOWN,
    onDegraded: (err) => ctx.logger.warn({ err }, 'Redis is down: the slow lane goes on without its marks (fail-open)'),
  });
  const laneWatch = watchLanes(lanes, env, ctx);
  const maxRecordBytes = config.limits.maxRecordBytes;
  const knownTopics = new Set([env.ROUTER_DEFERRED_TOPIC, ...Object.values(config.entityTypes).flatMap((t) => t.sinks.map(sinkTopic))]);

  const pipeline = new RouterPipeline({
    catalog,
    producer: ctx.producer,
    countRouted: (tenant, source) => ctx.metrics.sourceRecords(tenant, source),
    resolveRoute: (tenant, entityType) => table.resolve(tenant, entityType),
    validate: (entityType, payload) => rules.get(entityType)?.validate(payload),
    lanes,
    deferredTopic: env.ROUTER_DEFERRED_TOPIC,
    deferredPartitions: await partitionsOf(ctx, env.ROUTER_DEFERRED_TOPIC),
    holdSlowLane: () => ctx.backpressure.state === 'brownout',
    maxRecordBytes,
    ensureTopics: async (topics) => {
      const missing = topics.filter((t) => !knownTopics.has(t));
      if (missing.length === 0) return;
      await ensureTopics(
        ctx.admin,
        missing.map((topic) => ({ topic })),
      );
      for (const t of missing) knownTopics.add(t);
    },
    decodeAvroEnvelope: async (bytes) => {
      const { value } = await catalog.decodeLatest(bytes, RAW_ENVELOPE_SUBJECT);
      const raw = value as Record<string, unknown> & { payload: Buffer | null };
      const e = envelopeOrThrow({ ...raw, payload: raw.op === 'delete' ? null : {}, traceparent: raw.traceparent ?? undefined });
      return { ...e, payload: null, payloadAvro: raw.payload ?? undefined };
    },
  });

  const webhookTenants = new Map<string, WebhookTenant>();
  for (const [tenant, t] of Object.entries(config.tenants)) {
    const token = t.tokenEnv ? process.env[t.tokenEnv] : undefined;
    const limit = limits.get(tenant)!;
    if (token) webhookTenants.set(tenant, { tokenSha256: tokenDigest(token), bucket: new TokenBucket(limit) });
    else ctx.logger.warn({ tenant, tokenEnv: t.tokenEnv }, 'tenant has no webhook token in the environment: its webhook requests get 401');
  }
  const webhook = createWebhook({
    tenants: webhookTenants,
    produce: kafkaProduce(ctx.producer, env.ROUTER_SOURCE_TOPIC),
    maxBodyBytes: env.ROUTER_WEBHOOK_MAX_BODY_BYTES,
    maxRecordBytes,
    isKnownEntityType: (t) => t in config.entityTypes,
    backpressure: ctx.backpressure,
    openapi: webhookOpenApi,
    onProduceError: (err, c) => ctx.logger.warn({ err, ...c }, 'webhook produce failed; answered 503'),
    tracing: ctx.tracing,
  });

  return {
    handler: pipeline,
    route: webhook.route,
    details: async () => ({
      routes: { overrides: overrides.status(), live: Object.keys(table.overrides()).length },
      tenants: lanes.names,
      deferred: laneWatch.last(),
    }),
    close: async () => {
      laneWatch.stop();
      await overrides.stop();
      redis.disconnect();
    },
  };
}

/** Partitions of a topic the runtime created (or found) at start-up. */
async function partitionsOf(ctx: AppContext, topic: string): Promise<number> {
  const { topics } = await ctx.admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length || 1;
}

interface DeferredDetails {
  topic: string;
  sampledAt: string | null;
  tenants: Record<string, TenantWaiting>;
}

/** Samples the slow lane per tenant on a timer: the gauges, and /health/detailed's `deferred`. */
function watchLanes(lanes: TenantLanes, env: RouterEnv, ctx: AppContext): { last(): DeferredDetails; stop(): void } {
  let last: DeferredDetails = { topic: env.ROUTER_DEFERRED_TOPIC, sampledAt: null, tenants: {} };
  let sampling = false;
  const sample = () => {
    if (sampling) return;
    sampling = true;
    lanes
      .waiting()
      .then((byTenant) => {
        for (const [tenant, w] of byTenant) ctx.metrics.deferredWaiting(tenant, w.waiting, w.oldestAgeSeconds);
        last = { topic: env.ROUTER_DEFERRED_TOPIC, sampledAt: new Date().toISOString(), tenants: Object.fromEntries(byTenant) };
      })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'could not sample the slow lane'))
      .finally(() => (sampling = false));
  };
  sample();
  const timer = setInterval(sample, env.ROUTER_LANE_SAMPLE_MS);
  timer.unref();
  return { last: () => last, stop: () => clearInterval(timer) };
}
