import { describe, expect, it } from 'vitest';
import { classify } from '@ingest-mesh/reason-codes';
import { writeIsolated } from './isolate.js';

/** A pg-like error with a SQLSTATE. */
function pgError(code: string, message: string, fields: Record<string, string> = {}) {
  return Object.assign(new Error(message), { code, severity: 'ERROR', ...fields });
}

/** A fake table: refuses a whole statement if any item is in `bad`; counts statements. */
function fakeTable(
  bad: Set<number>,
  error = () => pgError('23514', 'new row violates check constraint "positive"', { constraint: 'positive', table: 'orders' }),
) {
  const written: number[] = [];
  let statements = 0;
  const write = async (items: readonly number[]) => {
    statements += 1;
    if (items.some((i) => bad.has(i))) throw error();
    written.push(...items);
    return items.map((i) => `ok:${i}`);
  };
  return { write, written, statements: () => statements };
}

const describeItem = (i: number) => `item ${i}`;

describe('writeIsolated', () => {
  it('a clean batch is one statement', async () => {
    const table = fakeTable(new Set());
    const results = await writeIsolated([1, 2, 3], table.write, { describe: describeItem });
    expect(results).toEqual([1, 2, 3].map((i) => ({ ok: true, result: `ok:${i}` })));
    expect(table.statements()).toBe(1);
  });

  it('finds one bad record among 64 in O(log n) statements; every other record is written, in order', async () => {
    const items = Array.from({ length: 64 }, (_, i) => i);
    const table = fakeTable(new Set([37]));
    const results = await writeIsolated(items, table.write, { describe: describeItem });
    expect(results.filter((r) => !r.ok)).toHaveLength(1);
    expect(results[37]).toMatchObject({ ok: false });
    const err = (results[37] as { error: Error }).error;
    expect(classify(err)).toMatchObject({ code: 'CONSTRAINT_VIOLATION', retryable: false });
    expect(err.message).toBe('item 37 violates check constraint "positive" on table orders (SQLSTATE 23514): new row violates check constraint "positive"');
    expect(table.written).toEqual(items.filter((i) => i !== 37));
    // 1 + 2 per level, 6 levels.
    expect(table.statements()).toBeLessThanOrEqual(1 + 2 * 6);
  });

  it('k bad records cost O(k log n) statements', async () => {
    const items = Array.from({ length: 256 }, (_, i) => i);
    const bad = new Set([3, 100, 101, 250]);
    const table = fakeTable(bad);
    const results = await writeIsolated(items, table.write, { describe: describeItem });
    expect(results.flatMap((r, i) => (r.ok ? [] : [i]))).toEqual([...bad]);
    expect(table.statements()).toBeLessThanOrEqual(1 + 2 * bad.size * Math.log2(items.length));
  });

  it('data exceptions (class 22) are isolated as VALIDATION_FAIL naming the column', async () => {
    const table = fakeTable(new Set([2]), () => pgError('22003', 'value out of range', { column: 'qty' }));
    const results = await writeIsolated([1, 2, 3], table.write, { describe: describeItem });
    const err = (results[1] as { error: Error }).error;
    expect(classify(err).code).toBe('VALIDATION_FAIL');
    expect(err.message).toContain('column "qty"');
  });

  it('infrastructure errors are thrown at once, without bisecting', async () => {
    for (const [code, reason] of [
      ['57014', 'SINK_TIMEOUT'],
      ['57P01', 'CONNECTION_ERROR'],
      ['08006', 'CONNECTION_ERROR'],
    ] as const) {
      const table = fakeTable(new Set([1]), () => pgError(code, 'infrastructure'));
      const err = await writeIsolated([0, 1, 2, 3], table.write, { describe: describeItem }).catch((e: unknown) => e);
      expect(classify(err).code).toBe(reason);
      expect(table.statements()).toBe(1);
    }
  });

  it('stops between statements when the signal is aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const write = async (items: readonly number[]) => {
      calls += 1;
      controller.abort(new Error('stop'));
      if (items.length > 1) throw pgError('23505', 'duplicate');
      return items;
    };
    await expect(writeIsolated([1, 2], write, { describe: describeItem, signal: controller.signal })).rejects.toThrow('stop');
    expect(calls).toBe(1);
  });

  it('an empty batch needs no statement', async () => {
    const table = fakeTable(new Set());
    expect(await writeIsolated([], table.write, { describe: describeItem })).toEqual([]);
    expect(table.statements()).toBe(0);
  });
});
