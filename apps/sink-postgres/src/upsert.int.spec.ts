// RevisionGuardedUpsert on the real PostgreSQL, in a schema of its own with the demo migrations.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classify } from '@ingest-mesh/reason-codes';
import type { SinkOutcome } from './sink-types.js';
import type { TableMapping } from './table-config.js';
import type { Queryable } from './table-writer.js';
import { createTestSchema, customer, demoTables, migrateDemo, order, tombstone, type TestSchema } from './test-support/pg-harness.js';
import { RevisionGuardedUpsert } from './upsert.js';

let db: TestSchema;
let customers: TableMapping;
let orders: TableMapping;
let statements = 0;

/** The pool, counting the statements the writer sends. */
const counting = (): Queryable => ({
  query: ((...args: Parameters<Queryable['query']>) => {
    statements += 1;
    return (db.pool.query as (...a: unknown[]) => unknown)(...args);
  }) as Queryable['query'],
});

beforeAll(async () => {
  db = await createTestSchema('upsert');
  await migrateDemo(db.pool, db.schema);
  const tables = await demoTables();
  customers = tables.entityTypes.get('customer')!;
  orders = tables.entityTypes.get('order')!;
});
afterAll(() => db?.drop());
beforeEach(async () => {
  statements = 0;
  await db.pool.query('TRUNCATE customers, orders');
});

const customerWriter = () => new RevisionGuardedUpsert(counting(), customers, db.schema);
const orderWriter = () => new RevisionGuardedUpsert(counting(), orders, db.schema);

async function row(table: string, id: string) {
  const r = await db.pool.query(`SELECT * FROM ${table} WHERE tenant = 'acme' AND id = $1`, [id]);
  return r.rows[0] as Record<string, unknown> | undefined;
}

const codeOf = (o: SinkOutcome) => (o.status === 'failed' ? classify(o.error).code : o.status);

describe('RevisionGuardedUpsert', () => {
  it('inserts new keys and updates them with a higher revision, in one statement per batch', async () => {
    const writer = orderWriter();
    expect(
      await writer.write([
        order('o-1', 1),
        order('o-2', 1, {
          items: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 3 },
          ],
        }),
      ]),
    ).toEqual([{ status: 'written' }, { status: 'written' }]);
    expect(statements).toBe(1);
    expect(await writer.write([order('o-1', 2, { status: 'paid', amountCents: 2500 })])).toEqual([{ status: 'written' }]);

    const o1 = await row('orders', 'o-1');
    expect(o1).toMatchObject({ revision: '2', status: 'paid', amount_cents: '2500', deleted: false, customer_id: 'c-1', currency: 'EUR', source: 'test' });
    expect((o1!.occurred_at as Date).toISOString()).toBe('2025-01-01T00:02:00.000Z');
    expect((await row('orders', 'o-2'))!.items).toEqual([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 3 },
    ]);
  });

  it('converts timestamp-millis to timestamptz and keeps nullable columns null', async () => {
    await customerWriter().write([customer('c-1', 1, { country: null })]);
    const c = await row('customers', 'c-1');
    expect((c!.created_at as Date).toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(c!.country).toBeNull();
  });

  it('refuses an older revision and reports the current one; the row is unchanged', async () => {
    const writer = customerWriter();
    await writer.write([customer('c-1', 5, { name: 'five' })]);
    expect(await writer.write([customer('c-1', 3, { name: 'three' })])).toEqual([{ status: 'older-revision', currentRevision: 5 }]);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '5', name: 'five' });
  });

  it('treats an equal revision as an idempotent no-op (a redelivered batch changes nothing)', async () => {
    const writer = customerWriter();
    const batch = [customer('c-1', 1), customer('c-2', 4)];
    await writer.write(batch);
    const before = await db.pool.query('SELECT * FROM customers ORDER BY id');
    expect(await writer.write(batch)).toEqual([
      { status: 'noop', why: 'equal-revision' },
      { status: 'noop', why: 'equal-revision' },
    ]);
    expect((await db.pool.query('SELECT * FROM customers ORDER BY id')).rows).toEqual(before.rows);
  });

  it('equal revisions with different payloads in ONE batch: the last is written, the earlier superseded; a later batch cannot replace it', async () => {
    const writer = customerWriter();
    expect(await writer.write([customer('c-1', 2, { name: 'first' }), customer('c-2', 1), customer('c-1', 2, { name: 'last' })])).toEqual([
      { status: 'noop', why: 'superseded-in-batch' },
      { status: 'written' },
      { status: 'written' },
    ]);
    expect(statements).toBe(1);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '2', name: 'last' });
    expect(await writer.write([customer('c-1', 2, { name: 'another batch' })])).toEqual([{ status: 'noop', why: 'equal-revision' }]);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '2', name: 'last' });
  });

  it('an older revision after a newer one in ONE batch is superseded, never written', async () => {
    const writer = customerWriter();
    expect(await writer.write([customer('c-1', 5, { name: 'five' }), customer('c-1', 3, { name: 'three' })])).toEqual([
      { status: 'written' },
      { status: 'noop', why: 'superseded-in-batch' },
    ]);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '5', name: 'five' });
  });

  it('update → delete → update of one key in ONE batch ends present at the last revision', async () => {
    const writer = customerWriter();
    const outcomes = await writer.write([customer('c-1', 1, { name: 'one' }), tombstone('customer', 'c-1', 2), customer('c-1', 3, { name: 'three' })]);
    expect(outcomes).toEqual([{ status: 'noop', why: 'superseded-in-batch' }, { status: 'noop', why: 'superseded-in-batch' }, { status: 'written' }]);
    expect(statements).toBe(1);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '3', deleted: false, name: 'three' });
  });

  it('a delete that is last in the batch ends deleted: data cleared, revision kept, gone from the _live view', async () => {
    const writer = customerWriter();
    expect(await writer.write([customer('c-1', 1), customer('c-1', 2), tombstone('customer', 'c-1', 3)])).toEqual([
      { status: 'noop', why: 'superseded-in-batch' },
      { status: 'noop', why: 'superseded-in-batch' },
      { status: 'written' },
    ]);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '3', deleted: true, name: null, email: null });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM customers_live WHERE id = 'c-1'`)).rows[0].n).toBe(0);
  });

  it('a tombstone for a key never seen leaves a deleted row that guards the key', async () => {
    const writer = customerWriter();
    expect(await writer.write([tombstone('customer', 'c-9', 4)])).toEqual([{ status: 'written' }]);
    expect(await writer.write([customer('c-9', 2)])).toEqual([{ status: 'older-revision', currentRevision: 4 }]);
    expect(await row('customers', 'c-9')).toMatchObject({ revision: '4', deleted: true });
  });

  it('a late older upsert after a delete does not resurrect the row; a newer one does', async () => {
    const writer = customerWriter();
    await writer.write([customer('c-1', 1)]);
    await writer.write([tombstone('customer', 'c-1', 2)]);
    expect(await writer.write([customer('c-1', 1, { name: 'late' })])).toEqual([{ status: 'older-revision', currentRevision: 2 }]);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '2', deleted: true, name: null });
    expect(await writer.write([customer('c-1', 3, { name: 'back' })])).toEqual([{ status: 'written' }]);
    expect(await row('customers', 'c-1')).toMatchObject({ revision: '3', deleted: false, name: 'back' });
  });

  it('versions of a key older than the current row are all reported older-revision', async () => {
    const writer = customerWriter();
    await writer.write([customer('c-1', 10)]);
    expect(await writer.write([customer('c-1', 7), customer('c-1', 8)])).toEqual([
      { status: 'older-revision', currentRevision: 10 },
      { status: 'older-revision', currentRevision: 10 },
    ]);
  });

  it('isolates a constraint violation in the middle of a batch: that record fails, the rest are written', async () => {
    const writer = orderWriter();
    const batch = Array.from({ length: 16 }, (_, i) => order(`o-${i}`, 1, { amountCents: i === 9 ? -5 : 100 + i }));
    const outcomes = await writer.write(batch);
    expect(outcomes.map(codeOf)).toEqual(batch.map((_, i) => (i === 9 ? 'CONSTRAINT_VIOLATION' : 'written')));
    const failure = outcomes[9] as { status: 'failed'; error: Error };
    expect(failure.error.message).toContain('orders_amount_cents_nonnegative');
    expect(failure.error.message).toContain('order o-9 revision 1 (tenant acme)');
    expect(classify(failure.error).retryable).toBe(false);
    // 1 failing batch + 2 per level on the path of the bad record (log2 16 = 4 levels).
    expect(statements).toBeLessThanOrEqual(1 + 2 * 4);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(15);
  });

  it('isolates a required-column (CHECK deleted OR … IS NOT NULL) violation the same way', async () => {
    const writer = orderWriter();
    const noStatus = order('o-2', 1);
    noStatus.payload = { ...noStatus.payload, status: null };
    // The mapping marks status as non-nullable: refused before SQL, naming the column.
    const outcomes = await writer.write([order('o-1', 1), noStatus, order('o-3', 1)]);
    expect(outcomes.map(codeOf)).toEqual(['written', 'CONSTRAINT_VIOLATION', 'written']);
    expect((outcomes[1] as { error: Error }).error.message).toMatch(/column "status" of table orders is not nullable/);

    // With the column declared nullable in the mapping, the table's CHECK refuses it instead.
    const lenient = { ...orders, columns: orders.columns.map((c) => (c.name === 'status' ? { ...c, nullable: true } : c)) };
    const again = await new RevisionGuardedUpsert(counting(), lenient, db.schema).write([order('o-4', 1), { ...noStatus, id: 'o-5' }, order('o-6', 1)]);
    expect(again.map(codeOf)).toEqual(['written', 'CONSTRAINT_VIOLATION', 'written']);
    expect((again[1] as { error: Error }).error.message).toContain('orders_required');
  });

  it('when the newest version of a key violates a constraint, the next newest of the batch is applied', async () => {
    const writer = orderWriter();
    const outcomes = await writer.write([order('o-1', 1, { amountCents: 10 }), order('o-1', 2, { amountCents: -1 }), order('o-2', 1)]);
    expect(outcomes.map(codeOf)).toEqual(['written', 'CONSTRAINT_VIOLATION', 'written']);
    expect(await row('orders', 'o-1')).toMatchObject({ revision: '1', amount_cents: '10' });
  });

  it('fails a record whose value does not fit the column type, before any SQL, naming column and field', async () => {
    const bad = order('o-2', 1);
    bad.payload = { ...bad.payload, amountCents: 'lots' };
    const outcomes = await orderWriter().write([order('o-1', 1), bad]);
    expect(outcomes.map(codeOf)).toEqual(['written', 'VALIDATION_FAIL']);
    expect((outcomes[1] as { error: Error }).error.message).toMatch(/column "amount_cents" \(bigint\) from amountCents: expected an integer/);
    expect(statements).toBe(1);
  });

  it('keeps tenants apart: the same id in two tenants is two rows', async () => {
    const writer = customerWriter();
    expect(await writer.write([customer('c-1', 1, {}, 'acme'), customer('c-1', 1, {}, 'globex')])).toEqual([{ status: 'written' }, { status: 'written' }]);
    expect((await db.pool.query(`SELECT tenant FROM customers WHERE id = 'c-1' ORDER BY tenant`)).rows).toEqual([{ tenant: 'acme' }, { tenant: 'globex' }]);
  });

  it('stores text with quotes, backslashes, braces and commas unchanged', async () => {
    const name = `O'Brien "the {array}, breaker" \\ ü`;
    await customerWriter().write([customer('c-1', 1, { name })]);
    expect((await row('customers', 'c-1'))!.name).toBe(name);
  });
});
