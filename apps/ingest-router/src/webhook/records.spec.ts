// Webhook bodies → envelopes: defaults from the path, field problems per line, all or nothing.
import { describe, expect, it } from 'vitest';
import { MAX_REPORTED_ERRORS, parseRecords, type ParseResult } from './records.js';

const at = new Date('2025-03-01T12:00:00.000Z');
const ctx = { tenant: 'acme', entityType: 'customer', maxRecordBytes: 1024, now: () => at };
const good = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, revision: 1, payload: { name: id }, ...extra });
const ndjson = (...lines: string[]) => Buffer.from(lines.join('\n'));

function problems(result: ParseResult) {
  if (result.ok || result.status !== 400) throw new Error(`expected a 400, got ${JSON.stringify(result)}`);
  return result.errors;
}

describe('parseRecords', () => {
  it('takes tenant and entityType from the path and fills the defaults', () => {
    const result = parseRecords(Buffer.from(good('c1')), 'json', ctx);
    expect(result).toEqual({
      ok: true,
      envelopes: [
        {
          tenant: 'acme',
          source: 'webhook',
          entityType: 'customer',
          id: 'c1',
          revision: 1,
          occurredAt: at,
          priority: 'normal',
          op: 'upsert',
          payload: { name: 'c1' },
          traceparent: undefined,
        },
      ],
    });
  });

  it('keeps a given source, priority, op, occurredAt and a revision sent as a decimal string', () => {
    const result = parseRecords(
      Buffer.from(good('c1', { source: 'crm', priority: 'high', op: 'delete', revision: '42', occurredAt: 1_700_000_000_000, tenant: 'acme' })),
      'json',
      ctx,
    );
    expect(result.ok && result.envelopes[0]).toMatchObject({
      source: 'crm',
      priority: 'high',
      op: 'delete',
      revision: 42,
      occurredAt: new Date(1_700_000_000_000),
      payload: null,
    });
  });

  it('reads NDJSON line by line, skipping blank lines and CRLF endings but counting them', () => {
    const result = parseRecords(Buffer.from(`${good('a')}\r\n\n  \n${good('b')}\n${good('c')}\n`), 'ndjson', ctx);
    expect(result.ok && result.envelopes.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    const bad = parseRecords(Buffer.from(`${good('a')}\r\n\n{"revision":1,"payload":{}}\n`), 'ndjson', ctx);
    expect(problems(bad)).toEqual([{ line: 3, field: 'id', problem: 'required field missing' }]);
  });

  it('names every bad line and field, and accepts none of the records', () => {
    const result = parseRecords(
      ndjson(
        good('a'),
        '{"id":"b","revision":"abc","payload":{}}',
        '{"revision":1,"payload":{}}',
        '{"id":"d","revision":1,"priority":"urgent","op":"merge","payload":{}}',
        '{"id":"e","revision":1,"payload":[1]}',
        '{"id":"f", "revision":',
        '[1,2]',
        good('h', { tenant: 'other', entityType: 'order' }),
        '{"id":"i","revision":-1,"payload":{}}',
        '{"id":"j","revision":1}',
      ),
      'ndjson',
      ctx,
    );
    const errors = problems(result);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'revision'],
      [3, 'id'],
      [4, 'priority'],
      [4, 'op'],
      [5, 'payload'],
      [6, ''],
      [7, ''],
      [8, 'tenant'],
      [8, 'entityType'],
      [9, 'revision'],
      [10, 'payload'],
    ]);
    expect(errors[0]!.problem).toMatch(/expected a non-negative integer/);
    expect(errors[1]!.problem).toBe('required field missing');
    expect(errors[5]!.problem).toMatch(/^invalid JSON/);
    expect(errors[6]!.problem).toMatch(/expected a JSON object/);
    expect(errors[7]!.problem).toMatch(/does not match the path \("acme"\)/);
  });

  it('reports no line for an application/json body', () => {
    expect(problems(parseRecords(Buffer.from('{"id":"x","revision":"1.5","payload":{}}'), 'json', ctx))).toEqual([
      { field: 'revision', problem: expect.stringMatching(/non-negative integer/) },
    ]);
  });

  it('refuses bytes that are not UTF-8 and bodies without records', () => {
    expect(problems(parseRecords(Buffer.from([0x7b, 0xff, 0x7d]), 'json', ctx))).toEqual([{ field: '', problem: 'not valid UTF-8' }]);
    expect(problems(parseRecords(Buffer.from('\n \n'), 'ndjson', ctx))).toEqual([{ field: '', problem: 'the body holds no records' }]);
    expect(problems(parseRecords(Buffer.alloc(0), 'json', ctx))[0]!.problem).toMatch(/^invalid JSON/);
  });

  it('lists at most MAX_REPORTED_ERRORS problems and counts them all', () => {
    const result = parseRecords(ndjson(...Array.from({ length: 150 }, () => '{}')), 'ndjson', ctx);
    expect(result.ok).toBe(false);
    if (result.ok || result.status !== 400) return;
    expect(result.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(result.errorCount).toBeGreaterThan(150);
  });

  it('refuses a record nested deeper than 64 levels, before parsing it (application/json and NDJSON)', () => {
    const problem = 'the record nests deeper than 64 levels of objects and arrays (the limit)';
    // The record is level 1, its payload level 2: 62 more levels inside the payload are the most.
    const nested = (levels: number) => good('d', { payload: { name: 'd', deep: '@' } }).replace('"@"', `${'['.repeat(levels)}${']'.repeat(levels)}`);
    expect(parseRecords(Buffer.from(nested(62)), 'json', ctx).ok).toBe(true);
    expect(problems(parseRecords(Buffer.from(nested(63)), 'json', ctx))).toEqual([{ field: '', problem }]);
    const deep = `{"id":"x","revision":1,"payload":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    expect(problems(parseRecords(Buffer.from(deep), 'json', { ...ctx, maxRecordBytes: 1 << 20 }))).toEqual([{ field: '', problem }]);
    expect(problems(parseRecords(ndjson(good('a'), deep), 'ndjson', { ...ctx, maxRecordBytes: 1 << 20 }))).toEqual([{ line: 2, field: '', problem }]);
  });

  it('refuses a payload number that is not finite (1e400 reads as Infinity), naming its field, with the other problems', () => {
    const inf = (extra: string) => `{"id":"i","revision":1,"payload":{"name":"i",${extra}}}`;
    const result = parseRecords(
      ndjson(
        good('a'),
        inf('"score":1e400'),
        inf('"items":[{"qty":2},{"qty":-1e400}]'),
        '{"id":"j","revision":"x","payload":{"score":1e999}}',
        '{"id":"k","revision":1,"op":"delete","payload":{"score":1e400}}',
      ),
      'ndjson',
      ctx,
    );
    expect(problems(result)).toEqual([
      {
        line: 2,
        field: 'payload.score',
        problem: 'expected a finite number, got Infinity (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it',
      },
      {
        line: 3,
        field: 'payload.items[1].qty',
        problem: 'expected a finite number, got -Infinity (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it',
      },
      { line: 4, field: 'revision', problem: 'expected a non-negative integer up to 2^53-1' },
      {
        line: 4,
        field: 'payload.score',
        problem: 'expected a finite number, got Infinity (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it',
      },
    ]);
    // A delete's payload is dropped, never written: nothing in it is changed.
    const del = parseRecords(Buffer.from('{"id":"k","revision":1,"op":"delete","payload":{"score":1e400}}'), 'json', ctx);
    expect(del.ok && del.envelopes[0]!.payload).toBeNull();
  });

  it('is a 413 naming the line when one record is over maxRecordBytes', () => {
    const big = good('big', { payload: { blob: 'x'.repeat(2000) } });
    expect(parseRecords(ndjson(good('a'), big), 'ndjson', ctx)).toEqual({ ok: false, status: 413, line: 2, bytes: Buffer.byteLength(big) });
    expect(parseRecords(Buffer.from(big), 'json', ctx)).toEqual({ ok: false, status: 413, bytes: Buffer.byteLength(big) });
  });
});
