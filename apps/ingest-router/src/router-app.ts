// Assembles the router from its parts on top of the runtime: the schema catalog, the route
// table with its live overrides, data-quality rules, per-tenant buckets, and the webhook.
import { RAW_ENVELOPE_SUBJECT, SchemaCatalog } from '@ingest-mesh/avro';
import { TokenBucket } from '@ingest-mesh/backpressure';
import { ensureTopics, LARGE_MESSAGE_BYTES, startMeshApp, type AppContext, type AppParts, type MeshApp } from '@ingest-mesh/kafka-runtime';
import { envelopeOrThrow } from './envelope.js';
import type { RouterEnv } from './config.js';
import { RouterPipeline } from './pipeline.js';
import { loadRouterConfig, type RouterConfig } from './router-config.js';
import { RouteOverridesListener } from './route-overrides.js';
import { RouteTable, sinkTopic } from './routes.js';
import { compileEntityRules } from './rules.js';
import { createWebhook, kafkaProduce, tokenDigest, webhookOpenApi, type WebhookTenant } from './webhook/index.js';

export const APP = 'ingest-router';

export async function startRouter(env: RouterEnv, overrides: { config?: RouterConfig; groupId?: string } = {}): Promise<MeshApp> {
  const config = overrides.config ?? (await loadRouterConfig(env.ROUTER_CONFIG));
  const sinkTopics = new Set(Object.values(config.entityTypes).flatMap((t) => t.sinks.map(sinkTopic)));
  return startMeshApp({
    app: APP,
    topics: [env.ROUTER_SOURCE_TOPIC],
    env,
    dedupe: true,
    ...(overrides.groupId ? { groupId: overrides.groupId } : {}),
    // Raw and deferred topics take oversized records, so they reach the DLQ with a reason.
    ensureTopics: [
      ...[env.ROUTER_SOURCE_TOPIC, env.ROUTER_DEFERRED_TOPIC].map((topic) => ({ topic, configEntries: [{ name: 'max.message.bytes', value: String(LARGE_MESSAGE_BYTES) }] })),
      ...sinkTopics,
    ],
    build: (ctx) => buildRouter(env, config, ctx),
  });
}

async function buildRouter(env: RouterEnv, config: RouterConfig, ctx: AppContext): Promise<AppParts> {
  const catalog = new SchemaCatalog({ registry: ctx.registry, refreshMs: env.ROUTER_SCHEMA_REFRESH_MS });
  const table = new RouteTable(config);
  const overrides = new RouteOverridesListener({ kafka: ctx.kafka, table, logger: ctx.logger, topic: env.ROUTER_ROUTES_TOPIC });
  await overrides.start(); // route with every override known, from the first record on
  const rules = compileEntityRules(config);
  const buckets = new Map(
    Object.entries(config.tenants).map(([tenant, t]) => [tenant, new TokenBucket({ ratePerSec: t.ratePerSec ?? 1000, burst: t.burst ?? 2000 })]),
  );
  const maxRecordBytes = config.limits.maxRecordBytes;
  const knownTopics = new Set([env.ROUTER_DEFERRED_TOPIC, ...Object.values(config.entityTypes).flatMap((t) => t.sinks.map(sinkTopic))]);

  const pipeline = new RouterPipeline({
    catalog,
    producer: ctx.producer,
    countRouted: (tenant, source) => ctx.metrics.sourceRecords(tenant, source),
    resolveRoute: (tenant, entityType) => table.resolve(tenant, entityType),
    validate: (entityType, payload) => rules.get(entityType)?.validate(payload),
    tenants: buckets,
    deferredTopic: env.ROUTER_DEFERRED_TOPIC,
    maxRecordBytes,
    ensureTopics: async (topics) => {
      const missing = topics.filter((t) => !knownTopics.has(t));
      if (missing.length === 0) return;
      const admin = ctx.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, missing.map((topic) => ({ topic })));
      } finally {
        await admin.disconnect();
      }
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
    if (token) webhookTenants.set(tenant, { tokenSha256: tokenDigest(token), bucket: new TokenBucket({ ratePerSec: t.ratePerSec ?? 1000, burst: t.burst ?? 2000 }) });
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
  });

  return {
    handler: pipeline,
    route: webhook.route,
    details: async () => ({ routes: { overrides: overrides.status(), live: Object.keys(table.overrides()).length }, tenants: [...buckets.keys()] }),
    close: () => overrides.stop(),
  };
}
