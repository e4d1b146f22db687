// PostgresSink as the runner uses it, on the real PostgreSQL: connect (migrations + schema
// check), batches of several entity types, unknown types, health, close, and the
// infrastructure failures the runner must see as retryable (timeouts, refused connections).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { classify, ConnectionError } from '@ingest-mesh/reason-codes';
import { freePort, waitFor } from '@ingest-mesh/testing';
import { PostgresSink } from './postgres-sink.js';
import { TableSchemaError } from './schema-check.js';
import { parseTablesConfig, type TablesConfig } from './table-config.js';
import { createTestSchema, customer, DATABASE_URL, demoTables, MIGRATIONS_DIR, order, signal, tombstone, type TestSchema } from './test-support/pg-harness.js';

let db: TestSchema;
let tables: TablesConfig;
const sinks: PostgresSink[] = [];

function sink(overrides: Partial<ConstructorParameters<typeof PostgresSink>[0]> = {}): PostgresSink {
  const s = new PostgresSink({ connectionString: DATABASE_URL, tables, schema: db.schema, migrations: MIGRATIONS_DIR, ...overrides });
  sinks.push(s);
  return s;
}

beforeAll(async () => {
  db = await createTestSchema('sink');
  tables = await demoTables();
});
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
  await db?.drop();
});

describe('PostgresSink', () => {
  it('connect() migrates the schema and checks the tables; writeBatch answers per record in input order', async () => {
    const migrated: string[] = [];
    const s = sink({ onConnected: (info) => migrated.push(...(info.migrations?.applied ?? [])) });
    await s.connect();
    expect(migrated).toEqual(['0001_customers.sql', '0002_orders.sql', '0003_customer_history.sql']);

    const batch = [
      customer('c-1', 1),
      order('o-1', 1),
      { ...customer('x-1', 1), entityType: 'invoice' },
      order('o-1', 2, { status: 'paid' }),
      customer('c-2', 1),
      tombstone('customer', 'c-2', 2),
    ];
    const outcomes = await s.writeBatch(batch, { signal: signal() });
    expect(outcomes.map((o) => (o.status === 'failed' ? classify(o.error).code : o.status))).toEqual([
      'written',
      'noop',
      'UNKNOWN_ROUTE',
      'written',
      'noop',
      'written',
    ]);
    expect((outcomes[2] as { error: Error }).error.message).toBe('no table mapping for entity type invoice in tables.yaml (mapped: customer, order)');
    expect((await db.pool.query(`SELECT id, revision, deleted FROM customers ORDER BY id`)).rows).toEqual([
      { id: 'c-1', revision: '1', deleted: false },
      { id: 'c-2', revision: '2', deleted: true },
    ]);
    expect((await db.pool.query(`SELECT status FROM orders WHERE id = 'o-1'`)).rows).toEqual([{ status: 'paid' }]);

    // A second instance finds everything migrated.
    const again: string[] = [];
    await sink({ onConnected: (info) => again.push(...(info.migrations?.unchanged ?? [])) }).connect();
    expect(again).toHaveLength(3);
  });

  it('writes history mode for the entity types configured so', async () => {
    const historyConfig = parseTablesConfig({
      entityTypes: {
        customer: { table: 'customer_history', mode: 'history', columns: { name: { from: 'name', type: 'text' }, email: { from: 'email', type: 'text' } } },
      },
    });
    const s = sink({ tables: historyConfig });
    await s.connect();
    expect(await s.writeBatch([customer('h-1', 1), customer('h-1', 2)], { signal: signal() })).toEqual([{ status: 'written' }, { status: 'written' }]);
    expect((await db.pool.query(`SELECT revision, is_current FROM customer_history WHERE id = 'h-1' ORDER BY revision`)).rows).toEqual([
      { revision: '1', is_current: false },
      { revision: '2', is_current: true },
    ]);
  });

  it('connect() fails with every schema problem when the tables do not match the mapping (migrations off)', async () => {
    const wrong = parseTablesConfig({
      entityTypes: { customer: { table: 'customers', columns: { email: { from: 'email', type: 'text' }, phone: { from: 'phone', type: 'text' } } } },
    });
    const err = await sink({ tables: wrong, migrations: false })
      .connect()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TableSchemaError);
    expect((err as Error).message).toContain('table customers lacks column "phone" (text) needed by entityType customer');
  });

  it('health() answers SELECT 1 with pool stats; close() is idempotent and ends writes', async () => {
    const s = sink({ migrations: false });
    const health = await s.health();
    expect(health.ok).toBe(true);
    expect(health.details).toMatchObject({ schema: db.schema, pool: { total: expect.any(Number), idle: expect.any(Number), waiting: 0 } });
    await s.close();
    await s.close();
    expect((await s.health()).ok).toBe(false);
    await expect(s.writeBatch([customer('c-1', 1)], { signal: signal() })).rejects.toThrow(ConnectionError);
  });

  it('a statement timeout throws, classified SINK_TIMEOUT (retryable)', async () => {
    const s = sink({ migrations: false, statementTimeoutMs: 200 });
    await s.writeBatch([customer('lock-1', 1)], { signal: signal() });
    const locker = await db.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT * FROM customers WHERE id = 'lock-1' FOR UPDATE`);
      const err = await s.writeBatch([customer('lock-1', 2)], { signal: signal() }).catch((e: unknown) => e);
      expect(classify(err)).toMatchObject({ code: 'SINK_TIMEOUT', retryable: true });
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect(await s.writeBatch([customer('lock-1', 2)], { signal: signal() })).toEqual([{ status: 'written' }]);
  });

  it('PostgreSQL unreachable: connect() throws a retryable ConnectionError, writeBatch a CONNECTION_ERROR, health is not ok', async () => {
    const port = await freePort();
    const s = sink({ connectionString: `postgres://mesh@127.0.0.1:${port}/mesh`, connectTimeoutMs: 2_000 });
    const err = await s.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(classify(err)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect((err as Error).message).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}/mesh`);

    const writeErr = await s.writeBatch([customer('c-1', 1)], { signal: signal() }).catch((e: unknown) => e);
    expect(classify(writeErr)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect((await s.health()).ok).toBe(false);
  });

  it('connections killed by the server are reported and replaced: the next batch is written', async () => {
    const applicationName = `sink-pg-test-${randomBytes(4).toString('hex')}`;
    const poolErrors: Error[] = [];
    const s = sink({ migrations: false, applicationName, onPoolError: (e) => poolErrors.push(e) });
    await s.writeBatch([customer('k-1', 1)], { signal: signal() });
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await waitFor('the pool to notice its connections died', async () => (poolErrors.length > 0 ? true : undefined), 10_000, 50);
    expect(classify(poolErrors[0]).code).toBe('CONNECTION_ERROR');
    expect(await s.writeBatch([customer('k-1', 2)], { signal: signal() })).toEqual([{ status: 'written' }]);
  });

  it('an aborted signal stops the batch before any statement', async () => {
    const s = sink({ migrations: false });
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(s.writeBatch([customer('a-1', 1)], { signal: controller.signal })).rejects.toThrow('shutting down');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM customers WHERE id = 'a-1'`)).rows[0].n).toBe(0);
  });
});
