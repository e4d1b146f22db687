import { describe, expect, it } from 'vitest';
import { ConstraintViolationError, ValidationError } from '@ingest-mesh/reason-codes';
import { prepareRow, toSqlValue } from './column-values.js';
import type { SinkRecordIn } from './sink-types.js';
import { parseTablesConfig } from './table-config.js';

describe('toSqlValue', () => {
  it('passes null and undefined as NULL for every type', () => {
    for (const type of ['text', 'bigint', 'integer', 'numeric', 'boolean', 'timestamptz', 'jsonb'] as const) {
      expect(toSqlValue(null, type)).toBeNull();
      expect(toSqlValue(undefined, type)).toBeNull();
    }
  });

  it('text: strings as they are, other primitives as text; refuses records and NUL', () => {
    expect(toSqlValue('a"b{c}', 'text')).toBe('a"b{c}');
    expect(toSqlValue(42, 'text')).toBe('42');
    expect(toSqlValue(true, 'text')).toBe('true');
    expect(() => toSqlValue({ a: 1 }, 'text')).toThrow('expected a string, got a record');
    expect(() => toSqlValue('a\u0000b', 'text')).toThrow('NUL character');
  });

  it('bigint and numeric travel as strings (no precision lost); integer as a 32-bit number', () => {
    expect(toSqlValue(9_007_199_254_740_991, 'bigint')).toBe('9007199254740991');
    expect(toSqlValue(123n ** 5n, 'bigint')).toBe('28153056843');
    expect(toSqlValue('-12', 'bigint')).toBe('-12');
    expect(() => toSqlValue(1.5, 'bigint')).toThrow('expected an integer');
    expect(() => toSqlValue(2 ** 60, 'bigint')).toThrow('expected an integer');
    expect(() => toSqlValue('12abc', 'bigint')).toThrow('expected an integer');
    expect(toSqlValue(12.25, 'numeric')).toBe('12.25');
    expect(toSqlValue('1e-3', 'numeric')).toBe('1e-3');
    expect(() => toSqlValue(Number.NaN, 'numeric')).toThrow('expected a finite number');
    expect(toSqlValue(7, 'integer')).toBe(7);
    expect(() => toSqlValue(2 ** 31, 'integer')).toThrow('expected an integer from -2147483648 to 2147483647');
  });

  it('boolean only from booleans', () => {
    expect(toSqlValue(false, 'boolean')).toBe(false);
    expect(() => toSqlValue('false', 'boolean')).toThrow('expected true or false, got string "false"');
  });

  it('timestamptz from epoch milliseconds (Avro timestamp-millis), Dates and ISO strings', () => {
    expect(toSqlValue(Date.UTC(2025, 0, 2, 3, 4, 5, 6), 'timestamptz')).toBe('2025-01-02T03:04:05.006Z');
    expect(toSqlValue(new Date(0), 'timestamptz')).toBe('1970-01-01T00:00:00.000Z');
    expect(toSqlValue('2025-01-02T03:04:05+02:00', 'timestamptz')).toBe('2025-01-02T01:04:05.000Z');
    expect(() => toSqlValue('yesterday', 'timestamptz')).toThrow('expected a timestamp');
    expect(() => toSqlValue(1e20, 'timestamptz')).toThrow('expected a timestamp');
  });

  it('jsonb via JSON.stringify, bytes as base64, bigints as strings; refuses NUL', () => {
    expect(toSqlValue([{ sku: 'a', qty: 1 }], 'jsonb')).toBe('[{"sku":"a","qty":1}]');
    expect(toSqlValue({ raw: Buffer.from('hi'), n: 5n }, 'jsonb')).toBe('{"raw":"aGk=","n":"5"}');
    expect(toSqlValue('plain', 'jsonb')).toBe('"plain"');
    expect(toSqlValue('back\\u0000slash', 'jsonb')).toBe('"back\\\\u0000slash"');
    expect(() => toSqlValue({ s: 'a\u0000' }, 'jsonb')).toThrow('NUL character');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toSqlValue(cyclic, 'jsonb')).toThrow('cannot be written as JSON');
  });
});

describe('prepareRow', () => {
  const mapping = parseTablesConfig({
    entityTypes: {
      order: {
        table: 'orders',
        key: ['tenant', 'id', 'src'],
        columns: {
          amount_cents: { from: 'amountCents', type: 'bigint' },
          first_sku: { from: 'items[0].sku', type: 'text', nullable: true },
          src: { from: '$source', type: 'text' },
          rev: { from: '$revision', type: 'bigint' },
        },
      },
    },
  }).entityTypes.get('order')!;

  const record = (over: Partial<SinkRecordIn> = {}): SinkRecordIn => ({
    key: 'acme:order:o-1',
    topic: 'sink.postgres',
    partition: 0,
    offset: '0',
    tenant: 'acme',
    source: 'shop',
    entityType: 'order',
    id: 'o-1',
    revision: 3,
    occurredAt: new Date(Date.UTC(2025, 0, 1)),
    priority: 'normal',
    op: 'upsert',
    payload: { amountCents: 1200, items: [{ sku: 's-1', qty: 1 }] },
    payloadSchemaId: 1,
    ...over,
  });

  it('maps payload and envelope fields, and computes the key', () => {
    expect(prepareRow(mapping, record())).toEqual({
      tenant: 'acme',
      id: 'o-1',
      revision: 3,
      occurredAt: '2025-01-01T00:00:00.000Z',
      deleted: false,
      values: ['1200', 's-1', 'shop', '3'],
      keyValues: ['acme', 'o-1', 'shop'],
      keyId: '["acme","o-1","shop"]',
    });
  });

  it('a tombstone clears payload columns and keeps envelope columns', () => {
    expect(prepareRow(mapping, record({ op: 'delete', payload: null }))).toMatchObject({ deleted: true, values: [null, null, 'shop', '3'] });
  });

  it('a missing non-nullable value is a CONSTRAINT_VIOLATION naming column, field and record', () => {
    const err = (() => {
      try {
        prepareRow(mapping, record({ payload: { items: [] } }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConstraintViolationError);
    expect((err as Error).message).toBe(
      'column "amount_cents" of table orders is not nullable, but amountCents of entityType order o-1 revision 3 has no value',
    );
  });

  it('a value of the wrong type is a VALIDATION_FAIL naming column and field', () => {
    expect(() => prepareRow(mapping, record({ payload: { amountCents: 'x' } }))).toThrow(ValidationError);
    expect(() => prepareRow(mapping, record({ payload: { amountCents: 'x' } }))).toThrow(
      /entityType order column "amount_cents" \(bigint\) from amountCents: expected an integer/,
    );
  });

  it('refuses an upsert without payload and a revision that is not a safe integer', () => {
    expect(() => prepareRow(mapping, record({ payload: null }))).toThrow('upsert of order o-1 revision 3 has no payload');
    expect(() => prepareRow(mapping, record({ revision: 1.5 }))).toThrow('revision 1.5 of order o-1 is not an integer ≥ 0');
    expect(() => prepareRow(mapping, record({ occurredAt: new Date(Number.NaN) }))).toThrow(ValidationError);
  });
});
