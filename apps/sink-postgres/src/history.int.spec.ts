// ScdHistoryWriter (SCD Type 2) on the real PostgreSQL, table customer_history of migration 0003.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classify } from '@ingest-mesh/reason-codes';
import { ScdHistoryWriter } from './history.js';
import type { SinkOutcome } from './sink-types.js';
import type { TableMapping } from './table-config.js';
import { createTestSchema, customer, historyTables, migrateDemo, tombstone, type TestSchema } from './test-support/pg-harness.js';

let db: TestSchema;
let mapping: TableMapping;

beforeAll(async () => {
  db = await createTestSchema('history');
  await migrateDemo(db.pool, db.schema);
  mapping = (await historyTables()).entityTypes.get('customer')!;
});
afterAll(() => db?.drop());
beforeEach(() => db.pool.query('TRUNCATE customer_history'));

const writer = () => new ScdHistoryWriter(db.pool, mapping, db.schema);
const minute = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 60_000);
const codeOf = (o: SinkOutcome) => (o.status === 'failed' ? classify(o.error).code : o.status);

interface Version {
  revision: string;
  name: string | null;
  deleted: boolean;
  valid_from: Date;
  valid_to: Date | null;
  is_current: boolean;
}

async function versions(id: string, tenant = 'acme'): Promise<Version[]> {
  const r = await db.pool.query<Version>(
    'SELECT revision, name, deleted, valid_from, valid_to, is_current FROM customer_history WHERE tenant = $1 AND id = $2 ORDER BY revision',
    [tenant, id],
  );
  return r.rows;
}

/** Every version's valid_to is the next one's valid_from; only the newest is current. */
function expectChain(rows: Version[]) {
  rows.forEach((v, i) => {
    const next = rows[i + 1];
    expect(v.is_current).toBe(next === undefined);
    expect(v.valid_to).toEqual(next === undefined ? null : next.valid_from);
  });
}

describe('ScdHistoryWriter', () => {
  it('keeps every version: the current one expires when a newer one arrives (valid_to chain, one current)', async () => {
    const w = writer();
    expect(await w.write([customer('c-1', 1, { name: 'one' })])).toEqual([{ status: 'written' }]);
    expect(await w.write([customer('c-1', 2, { name: 'two' }), customer('c-2', 1)])).toEqual([{ status: 'written' }, { status: 'written' }]);
    expect(await w.write([customer('c-1', 3, { name: 'three' })])).toEqual([{ status: 'written' }]);

    const rows = await versions('c-1');
    expect(rows.map((v) => [v.revision, v.name])).toEqual([
      ['1', 'one'],
      ['2', 'two'],
      ['3', 'three'],
    ]);
    expect(rows.map((v) => v.valid_from)).toEqual([minute(1), minute(2), minute(3)]);
    expectChain(rows);
    expect((await db.pool.query(`SELECT name FROM customer_history_current WHERE id = 'c-1'`)).rows).toEqual([{ name: 'three' }]);
  });

  it('writes several versions of one key in one batch in revision order, whatever the input order', async () => {
    expect(await writer().write([customer('c-1', 2), customer('c-1', 1), customer('c-1', 3)])).toEqual([
      { status: 'written' },
      { status: 'written' },
      { status: 'written' },
    ]);
    expectChain(await versions('c-1'));
  });

  it('is idempotent: a rerun of the same batch is a no-op and changes no row', async () => {
    const batch = [customer('c-1', 1), customer('c-1', 2), customer('c-2', 1)];
    await writer().write(batch);
    const before = (await db.pool.query('SELECT * FROM customer_history ORDER BY id, revision')).rows;
    expect(await writer().write(batch)).toEqual(batch.map(() => ({ status: 'noop', why: 'equal-revision' })));
    expect((await db.pool.query('SELECT * FROM customer_history ORDER BY id, revision')).rows).toEqual(before);
  });

  it('the same version twice in one batch is written once: the last copy (sink-kit: equal revisions, the last wins)', async () => {
    expect(await writer().write([customer('c-1', 1), customer('c-1', 1)])).toEqual([{ status: 'noop', why: 'superseded-in-batch' }, { status: 'written' }]);
    expect(await versions('c-1')).toHaveLength(1);
  });

  it('equal revisions with different payloads: the last of the batch is kept; a later batch cannot replace it', async () => {
    const w = writer();
    expect(await w.write([customer('c-1', 1, { name: 'first' }), customer('c-1', 1, { name: 'last' })])).toEqual([
      { status: 'noop', why: 'superseded-in-batch' },
      { status: 'written' },
    ]);
    expect((await versions('c-1')).map((v) => [v.revision, v.name])).toEqual([['1', 'last']]);
    expect(await w.write([customer('c-1', 1, { name: 'another batch' })])).toEqual([{ status: 'noop', why: 'equal-revision' }]);
    expect((await versions('c-1')).map((v) => [v.revision, v.name])).toEqual([['1', 'last']]);
  });

  it('splices a late older version into the chain as a closed version; the current row stays', async () => {
    const w = writer();
    await w.write([customer('c-1', 1, { name: 'one' }), customer('c-1', 3, { name: 'three' })]);
    expect(await w.write([customer('c-1', 2, { name: 'two' })])).toEqual([{ status: 'written' }]);
    const rows = await versions('c-1');
    expect(rows.map((v) => [v.revision, v.name, v.is_current])).toEqual([
      ['1', 'one', false],
      ['2', 'two', false],
      ['3', 'three', true],
    ]);
    expectChain(rows);
  });

  it('a tombstone is a version: the entity is no longer current, the history stays', async () => {
    const w = writer();
    await w.write([customer('c-1', 1), customer('c-1', 2)]);
    expect(await w.write([tombstone('customer', 'c-1', 3)])).toEqual([{ status: 'written' }]);
    const rows = await versions('c-1');
    expect(rows.map((v) => [v.revision, v.deleted, v.is_current])).toEqual([
      ['1', false, false],
      ['2', false, false],
      ['3', true, true],
    ]);
    expect(rows[2]!.name).toBeNull();
    expectChain(rows);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM customer_history_current WHERE id = 'c-1'`)).rows[0].n).toBe(0);
    // And it comes back with a newer version.
    await w.write([customer('c-1', 4, { name: 'back' })]);
    expectChain(await versions('c-1'));
    expect((await db.pool.query(`SELECT name FROM customer_history_current WHERE id = 'c-1'`)).rows).toEqual([{ name: 'back' }]);
  });

  it('isolates a constraint violation to its version; the others of the batch are written and chained', async () => {
    const bad = customer('c-1', 2);
    bad.payload = { ...bad.payload, email: null };
    // email is non-nullable in the mapping; make it nullable there so the table's CHECK decides.
    const lenient = { ...mapping, columns: mapping.columns.map((c) => (c.name === 'email' ? { ...c, nullable: true } : c)) };
    const outcomes = await new ScdHistoryWriter(db.pool, lenient, db.schema).write([customer('c-1', 1), bad, customer('c-1', 3), customer('c-2', 1)]);
    expect(outcomes.map(codeOf)).toEqual(['written', 'CONSTRAINT_VIOLATION', 'written', 'written']);
    expect((outcomes[1] as { error: Error }).error.message).toContain('customer_history_required');
    const rows = await versions('c-1');
    expect(rows.map((v) => v.revision)).toEqual(['1', '3']);
    expectChain(rows);
  });

  it('two writers on the same keys at once (a rebalance overlap) keep one consistent chain', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `race-${i}`);
    const [a, b] = [writer(), writer()];
    const outcomes = await Promise.all([
      a.write(ids.flatMap((id) => [customer(id, 1), customer(id, 3), customer(id, 5)])),
      b.write(ids.flatMap((id) => [customer(id, 2), customer(id, 4), customer(id, 6)])),
    ]);
    expect(outcomes.flat().every((o) => o.status === 'written')).toBe(true);
    for (const id of ids) {
      const rows = await versions(id);
      expect(rows.map((v) => v.revision)).toEqual(['1', '2', '3', '4', '5', '6']);
      expectChain(rows);
    }
  });
});
