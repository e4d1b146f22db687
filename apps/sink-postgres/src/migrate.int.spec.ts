// Versioned migrations on the real PostgreSQL: applied once, idempotent, guarded against edits
// and against two instances migrating at the same time.
import { cp, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadMigrations, migrate, MigrationError } from '@ingest-mesh/pg-kit';
import { createTestSchema, DATABASE_URL, MIGRATIONS_DIR, type TestSchema } from './test-support/pg-harness.js';

let db: TestSchema;
let dir: string;
const extraPools: pg.Pool[] = [];

beforeEach(async () => {
  db = await createTestSchema('migrate');
  dir = await mkdtemp(path.join(os.tmpdir(), 'sink-pg-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
});
afterEach(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});
afterAll(() => Promise.all(extraPools.map((p) => p.end())));

const tablesIn = async (schema: string) =>
  (await db.pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema])).rows.map(
    (r) => r.table_name as string,
  );

describe('migrate', () => {
  it('applies every migration once, records it, and is a no-op when run again', async () => {
    const first = await migrate(db.pool, await loadMigrations(dir), { schema: db.schema });
    expect(first.applied).toEqual(['0001_customers.sql', '0002_orders.sql', '0003_customer_history.sql']);
    expect(await tablesIn(db.schema)).toEqual([
      'customer_history',
      'customer_history_current',
      'customers',
      'customers_live',
      'orders',
      'orders_live',
      'schema_migrations',
    ]);
    const recorded = await db.pool.query('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version');
    expect(recorded.rows.map((r) => [r.version, r.name])).toEqual([
      ['1', 'customers'],
      ['2', 'orders'],
      ['3', 'customer_history'],
    ]);
    expect(recorded.rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum) && r.applied_at instanceof Date)).toBe(true);

    const second = await migrate(db.pool, await loadMigrations(dir), { schema: db.schema });
    expect(second).toEqual({ applied: [], unchanged: first.applied, unknownApplied: [] });
  });

  it('applies only what is new', async () => {
    await migrate(db.pool, await loadMigrations(dir), { schema: db.schema });
    await writeFile(path.join(dir, '0004_customer_notes.sql'), 'ALTER TABLE customers ADD COLUMN notes text;\n');
    const result = await migrate(db.pool, await loadMigrations(dir), { schema: db.schema });
    expect(result.applied).toEqual(['0004_customer_notes.sql']);
    expect(
      (
        await db.pool.query(
          `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'customers' AND column_name = 'notes'`,
          [db.schema],
        )
      ).rows[0].n,
    ).toBe(1);
  });

  it('refuses to run when an applied migration was changed, naming the file', async () => {
    await migrate(db.pool, await loadMigrations(dir), { schema: db.schema });
    await appendFile(path.join(dir, '0002_orders.sql'), '\nALTER TABLE orders ADD COLUMN note text;\n');
    await writeFile(path.join(dir, '0004_more.sql'), 'CREATE TABLE more (x int);\n');
    const err = await migrate(db.pool, await loadMigrations(dir), { schema: db.schema }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).file).toBe('0002_orders.sql');
    expect((err as Error).message).toMatch(/migration 0002_orders\.sql was changed after it was applied/);
    // Nothing after it was applied either.
    expect(await tablesIn(db.schema)).not.toContain('more');
  });

  it('a failing migration rolls back completely and names the file', async () => {
    await writeFile(path.join(dir, '0004_broken.sql'), 'CREATE TABLE half_done (x int);\nSELECT no_such_function();\n');
    const err = await migrate(db.pool, await loadMigrations(dir), { schema: db.schema }).catch((e: unknown) => e);
    expect((err as MigrationError).file).toBe('0004_broken.sql');
    expect(await tablesIn(db.schema)).not.toContain('half_done');
    const versions = (await db.pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
    expect(versions).toEqual(['1', '2', '3']);
  });

  it('two instances migrating at once apply each migration exactly once (advisory lock)', async () => {
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: DATABASE_URL, max: 1 }));
    extraPools.push(...pools);
    const migrations = await loadMigrations(dir);
    const results = await Promise.all(pools.map((p) => migrate(p, migrations, { schema: db.schema })));
    const appliedBy = results.flatMap((r) => r.applied).sort();
    expect(appliedBy).toEqual(['0001_customers.sql', '0002_orders.sql', '0003_customer_history.sql']);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBe(3);
  });

  it('reports applied versions that have no file (a rollback to an older build)', async () => {
    await writeFile(path.join(dir, '0009_later.sql'), 'SELECT 1;\n');
    await migrate(db.pool, await loadMigrations(dir), { schema: db.schema });
    await rm(path.join(dir, '0009_later.sql'));
    expect((await migrate(db.pool, await loadMigrations(dir), { schema: db.schema })).unknownApplied).toEqual([9]);
  });

  it('creates the schema when it does not exist yet', async () => {
    const schema = `${db.schema}_new`;
    try {
      await migrate(db.pool, await loadMigrations(dir), { schema });
      expect(await tablesIn(schema)).toContain('customers');
    } finally {
      await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
