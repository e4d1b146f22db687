// Integration-test helpers: a throw-away schema per test file on the real PostgreSQL, records
// shaped as the runner hands them to the sink, and the demo table mapping.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { loadMigrations, migrate } from '@ingest-mesh/pg-kit';
import { stackEndpoints } from '@ingest-mesh/testing';
import type { SinkRecordIn } from '../sink-types.js';
import { loadTablesConfig, parseTablesConfig, type TablesConfig } from '../table-config.js';

export const { DATABASE_URL } = stackEndpoints();
export const APP_DIR = path.resolve(import.meta.dirname, '../..');
export const MIGRATIONS_DIR = path.join(APP_DIR, 'migrations');
export const TABLES_FILE = path.join(APP_DIR, 'config/tables.yaml');

export interface TestSchema {
  schema: string;
  pool: pg.Pool;
  /** Drops the schema and ends the pool. */
  drop(): Promise<void>;
}

/** A fresh, empty schema `test_<label>_<random>` and a pool whose search_path is it. */
export async function createTestSchema(label: string): Promise<TestSchema> {
  const schema = `test_${label}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
  pool.on('error', () => {});
  await pool.query(`CREATE SCHEMA "${schema}"`);
  return {
    schema,
    pool,
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** The demo tables (migrations 0001–0003) in `schema`. */
export async function migrateDemo(pool: pg.Pool, schema: string) {
  return migrate(pool, await loadMigrations(MIGRATIONS_DIR), { schema });
}

export function demoTables(): Promise<TablesConfig> {
  return loadTablesConfig(TABLES_FILE);
}

/** The demo mapping with customer in history mode (table customer_history). */
export async function historyTables(): Promise<TablesConfig> {
  const demo = await demoTables();
  const customer = demo.entityTypes.get('customer')!;
  return parseTablesConfig({
    entityTypes: {
      customer: {
        table: 'customer_history',
        mode: 'history',
        columns: Object.fromEntries(customer.columns.map((c) => [c.name, { from: c.from, type: c.type, nullable: c.nullable }])),
      },
    },
  });
}

let offset = 0;

export function customer(
  id: string,
  revision: number,
  fields: Partial<{ name: string; email: string; tier: string; country: string | null }> = {},
  tenant = 'acme',
): SinkRecordIn {
  return envelope('customer', id, revision, tenant, {
    id,
    name: fields.name ?? `Customer ${id}`,
    email: fields.email ?? `${id}@example.com`,
    tier: fields.tier ?? 'free',
    country: fields.country === undefined ? 'DE' : fields.country,
    createdAt: Date.UTC(2025, 0, 1),
  });
}

export function order(
  id: string,
  revision: number,
  fields: Partial<{ amountCents: number; status: string; customerId: string; items: unknown }> = {},
  tenant = 'acme',
): SinkRecordIn {
  return envelope('order', id, revision, tenant, {
    id,
    customerId: fields.customerId ?? 'c-1',
    status: fields.status ?? 'placed',
    amountCents: fields.amountCents ?? 1000,
    currency: 'EUR',
    items: fields.items ?? [{ sku: 'sku-1', qty: 2 }],
  });
}

export function tombstone(entityType: string, id: string, revision: number, tenant = 'acme'): SinkRecordIn {
  return { ...envelope(entityType, id, revision, tenant, null), op: 'delete', payloadSchemaId: null };
}

function envelope(entityType: string, id: string, revision: number, tenant: string, payload: Record<string, unknown> | null): SinkRecordIn {
  return {
    key: `${tenant}:${entityType}:${id}`,
    topic: 'sink.postgres',
    partition: 0,
    offset: String(offset++),
    tenant,
    source: 'test',
    entityType,
    id,
    revision,
    // Later revisions happen later: a minute per revision.
    occurredAt: new Date(Date.UTC(2025, 0, 1) + revision * 60_000),
    priority: 'normal',
    op: 'upsert',
    payload,
    payloadSchemaId: payload === null ? null : 1,
  };
}

export function signal(): AbortSignal {
  return new AbortController().signal;
}
