// The mesh the chaos run starts on its stack: ingest-router → three sinks. customer goes to
//   sink.postgres → sink-postgres, upsert table `customers` (one row per id at its latest revision);
//   sink.history  → a second sink-postgres, history table `customer_history` (one row per version:
//                   a version applied twice, or lost, is visible there);
//   sink.search   → sink-search (one document per id, _version = revision).
// The router's tenants have the shipped rate limits (tenant-limits.ts); what it parks over them
// waits on its slow lane ingest.deferred, which it drains itself in the same consumer group.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StackEndpoints } from './chaos-stack.js';
import { tenantName } from './load-plan.js';
import type { AppName } from './schedule.js';
import type { AppSpec } from './supervisor.js';
import type { TenantLimits } from './tenant-limits.js';

export const PG_SCHEMA = 'chaos';
export const INDEX_PREFIX = 'chaos-';
export const RAW_TOPIC = 'ingest.raw';
/** The router's slow lane (its default, set explicitly so the run reads the topic it uses). */
export const DEFERRED_TOPIC = 'ingest.deferred';
export const ROUTER_GROUP = 'chaos.ingest-router';
export const SINK_TOPICS = { postgres: 'sink.postgres', history: 'sink.history', search: 'sink.search' } as const;

const COLUMNS = {
  name: { from: 'name', type: 'text' },
  email: { from: 'email', type: 'text' },
  tier: { from: 'tier', type: 'text' },
  country: { from: 'country', type: 'text', nullable: true },
  created_at: { from: 'createdAt', type: 'timestamptz' },
  source: { from: '$source', type: 'text' },
};

/** Which consumer group reads which topic, for the catch-up wait (the router also its slow lane). */
export const GROUPS = [
  { groupId: ROUTER_GROUP, topic: RAW_TOPIC },
  { groupId: ROUTER_GROUP, topic: DEFERRED_TOPIC },
  { groupId: 'chaos.sink-postgres', topic: SINK_TOPICS.postgres },
  { groupId: 'chaos.sink-history', topic: SINK_TOPICS.history },
  { groupId: 'chaos.sink-search', topic: SINK_TOPICS.search },
];

/** The sinks first (they create their tables), the router last. `limits[n]` are tenant n's. */
export function appSpecs(home: string, stack: StackEndpoints, limits: readonly TenantLimits[], ports: Record<AppName, number>): AppSpec[] {
  const file = (name: string, content: unknown) => {
    const p = path.join(home, name);
    writeFileSync(p, JSON.stringify(content, null, 2));
    return p;
  };
  const routerConfig = file('router.json', {
    tenants: Object.fromEntries(limits.map((l, n) => [tenantName(n), { ratePerSec: l.ratePerSec, burst: l.burst }])),
    entityTypes: { customer: { sinks: ['postgres', 'history', 'search'], rules: [{ field: 'email', required: true, pattern: '^[^@\\s]+@[^@\\s]+$' }] } },
  });
  const upsertTables = file('tables-upsert.json', { entityTypes: { customer: { table: 'customers', mode: 'upsert', columns: COLUMNS } } });
  const historyTables = file('tables-history.json', { entityTypes: { customer: { table: 'customer_history', mode: 'history', columns: COLUMNS } } });
  const common = {
    KAFKA_BROKERS: stack.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: stack.SCHEMA_REGISTRY_URL,
    REDIS_URL: stack.REDIS_URL,
    MESH_ADMIN_TOKEN: randomBytes(16).toString('hex'),
    MESH_CONTROL_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    // Retry quickly so recovery after an outage is seen within the run (the defaults back off to 30 s).
    MESH_RETRY_CAP_MS: '2000',
    // Stop within the run's bounds when asked to (SIGTERM at the end).
    MESH_SHUTDOWN_DEADLINE_MS: '15000',
  };
  const sinkPg = (table: string, topic: string, group: string) => ({
    ...common,
    DATABASE_URL: stack.DATABASE_URL,
    SINK_PG_SCHEMA: PG_SCHEMA,
    SINK_PG_TABLES: table,
    SINK_TOPIC: topic,
    SINK_GROUP_ID: group,
    SINK_CIRCUIT_RESET_MS: '2000',
  });
  return [
    {
      name: 'sink-postgres',
      app: 'sink-postgres',
      port: ports['sink-postgres'],
      env: { ...sinkPg(upsertTables, SINK_TOPICS.postgres, 'chaos.sink-postgres') },
    },
    {
      name: 'sink-history',
      app: 'sink-postgres',
      port: ports['sink-history'],
      env: { ...sinkPg(historyTables, SINK_TOPICS.history, 'chaos.sink-history'), SINK_PG_APPLICATION_NAME: 'sink-history' },
    },
    {
      name: 'sink-search',
      app: 'sink-search',
      port: ports['sink-search'],
      env: {
        ...common,
        SEARCH_URL: stack.SEARCH_URL,
        SINK_SEARCH_INDEX_PREFIX: INDEX_PREFIX,
        SINK_TOPIC: SINK_TOPICS.search,
        SINK_GROUP_ID: 'chaos.sink-search',
        SINK_CIRCUIT_RESET_MS: '2000',
      },
    },
    {
      name: 'ingest-router',
      app: 'ingest-router',
      port: ports['ingest-router'],
      env: {
        ...common,
        ROUTER_CONFIG: routerConfig,
        ROUTER_GROUP_ID: ROUTER_GROUP,
        ROUTER_DEFERRED_TOPIC: DEFERRED_TOPIC,
        // The slow lane's waiting records are counted every second (default 5 s), so the catch-up
        // wait and the reconciliation read a fresh count from /health/detailed.
        ROUTER_LANE_SAMPLE_MS: '1000',
        // A killed router's dedupe reservations block its in-flight records until they expire, as
        // the restarted process has another instance id (default 300 s: a 5-minute stall of those
        // partitions after every crash). 10 s keeps the run bounded.
        MESH_IDEMPOTENCY_RESERVATION_SECONDS: '10',
      },
    },
  ];
}
