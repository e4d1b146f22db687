import { readFileSync } from 'node:fs';
import type avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { fromJson, type FieldError } from './from-json.js';
import { parseSchema, type AvroType } from './parse-schema.js';

const schemaFile = (rel: string): AvroType => parseSchema(readFileSync(new URL(`../../../schemas/${rel}`, import.meta.url), 'utf8'));
const customer = schemaFile('entities/customer.avsc');
const order = schemaFile('entities/order.avsc');
const sinkRecord = schemaFile('mesh/SinkRecord.avsc');

function errorsOf(type: AvroType, json: unknown, opts?: Parameters<typeof fromJson>[2]): FieldError[] {
  const result = fromJson(type, json, opts);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

function valueOf(type: AvroType, json: unknown, opts?: Parameters<typeof fromJson>[2]): unknown {
  const result = fromJson(type, json, opts);
  if (!result.ok) throw new Error(`expected a value, got ${JSON.stringify(result.errors)}`);
  // Whatever fromJson accepts, the type can encode.
  expect(type.isValid(result.value)).toBe(true);
  return result.value;
}

const fieldType = (record: AvroType, name: string): AvroType => (record as avsc.types.RecordType).field(name).type;

const aCustomer = { id: 'c-1', name: 'Ada', email: 'ada@example.com', createdAt: '2025-01-02T03:04:05.678Z' };

describe('fromJson on records', () => {
  it('fills defaults for missing fields and converts an ISO timestamp to epoch millis', () => {
    expect(valueOf(customer, aCustomer)).toEqual({ ...aCustomer, tier: 'free', country: null, createdAt: Date.UTC(2025, 0, 2, 3, 4, 5, 678) });
  });

  it('keeps given values over defaults and takes epoch millis as they are', () => {
    const value = valueOf(customer, { ...aCustomer, tier: 'enterprise', country: 'FR', createdAt: 1_700_000_000_123 });
    expect(value).toMatchObject({ tier: 'enterprise', country: 'FR', createdAt: 1_700_000_000_123 });
  });

  it('reports every missing required field, and nothing for defaulted ones', () => {
    expect(errorsOf(customer, {})).toEqual([
      { path: 'id', problem: 'required field missing' },
      { path: 'name', problem: 'required field missing' },
      { path: 'email', problem: 'required field missing' },
      { path: 'createdAt', problem: 'required field missing' },
    ]);
  });

  it('treats a field set to undefined as missing', () => {
    expect(valueOf(customer, { ...aCustomer, tier: undefined })).toMatchObject({ tier: 'free' });
  });

  it('rejects extra fields by default, naming the record, and drops them with extraFields: ignore', () => {
    expect(errorsOf(customer, { ...aCustomer, nickname: 'A' })).toEqual([
      { path: 'nickname', problem: 'unknown field (not in mesh.entities.Customer; extra fields are rejected)' },
    ]);
    expect(valueOf(customer, { ...aCustomer, nickname: 'A' }, { extraFields: 'ignore' })).not.toHaveProperty('nickname');
  });

  it('reports wrong types with the expected type and the offending value', () => {
    expect(errorsOf(customer, { ...aCustomer, name: 42, email: null, tier: 'gold', country: 7 })).toEqual([
      { path: 'name', problem: 'expected string, got 42' },
      { path: 'email', problem: 'expected string, got null' },
      { path: 'tier', problem: 'expected one of free|pro|enterprise, got "gold"' },
      { path: 'country', problem: 'expected one of null | string, got 7' },
    ]);
  });

  it('refuses a non-object where a record belongs', () => {
    expect(errorsOf(customer, [aCustomer])).toEqual([{ path: '', problem: 'expected object (record mesh.entities.Customer), got array' }]);
    expect(errorsOf(customer, 'x')).toEqual([{ path: '', problem: 'expected object (record mesh.entities.Customer), got "x"' }]);
  });

  it('bounds long strings in messages', () => {
    const [error] = errorsOf(customer, { ...aCustomer, tier: 'g'.repeat(500) });
    expect(error?.problem).toBe(`expected one of free|pro|enterprise, got "${'g'.repeat(40)}…"`);
  });
});

describe('fromJson on nested records, arrays and maps', () => {
  const anOrder = {
    id: 'o-1',
    customerId: 'c-1',
    status: 'paid',
    amountCents: 1999,
    items: [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 2 },
    ],
  };

  it('converts arrays of records and fills defaults', () => {
    expect(valueOf(order, anOrder)).toEqual({ ...anOrder, currency: 'EUR' });
  });

  it('names the array index and nested field of each problem', () => {
    const errors = errorsOf(order, { ...anOrder, items: [{ sku: 'A', qty: 1 }, { sku: 'B' }, { sku: 3, qty: 'abc', extra: true }] });
    expect(errors).toEqual([
      { path: 'items[1].qty', problem: 'required field missing' },
      { path: 'items[2].sku', problem: 'expected string, got 3' },
      { path: 'items[2].qty', problem: 'expected int, got "abc"' },
      { path: 'items[2].extra', problem: 'unknown field (not in mesh.entities.OrderItem; extra fields are rejected)' },
    ]);
  });

  it('refuses a non-array for an array and an empty array is fine', () => {
    expect(errorsOf(order, { ...anOrder, items: {} })).toEqual([{ path: 'items', problem: 'expected array, got object' }]);
    expect(valueOf(order, { ...anOrder, items: [] })).toMatchObject({ items: [] });
  });

  const withMap = parseSchema({
    type: 'record',
    name: 'WithMap',
    fields: [
      { name: 'attrs', type: { type: 'map', values: 'long' } },
      {
        name: 'address',
        type: {
          type: 'record',
          name: 'Address',
          fields: [
            { name: 'zip', type: 'string' },
            { name: 'city', type: 'string', default: '' },
          ],
        },
      },
    ],
  });

  it('converts maps value by value, quoting keys that are not identifiers', () => {
    expect(valueOf(withMap, { attrs: { a: 1, 'b.c': 2 }, address: { zip: '75001' } })).toEqual({
      attrs: { a: 1, 'b.c': 2 },
      address: { zip: '75001', city: '' },
    });
    expect(errorsOf(withMap, { attrs: { a: 'x', 'b.c': 1.5 }, address: { zip: 75001 } })).toEqual([
      { path: 'attrs.a', problem: 'expected long, got "x"' },
      { path: 'attrs["b.c"]', problem: 'expected long, got 1.5' },
      { path: 'address.zip', problem: 'expected string, got 75001' },
    ]);
    expect(errorsOf(withMap, { attrs: [], address: {} })).toEqual([
      { path: 'attrs', problem: 'expected object (map), got array' },
      { path: 'address.zip', problem: 'required field missing' },
    ]);
  });

  it('keeps a __proto__ map key as data', () => {
    const value = valueOf(withMap, JSON.parse('{"attrs":{"__proto__":5},"address":{"zip":"1"}}')) as { attrs: Record<string, unknown> };
    expect(Object.keys(value.attrs)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value.attrs)).toBe(Object.prototype);
  });

  it('caps the number of reported errors', () => {
    const items = Array.from({ length: 20 }, () => ({}));
    expect(errorsOf(order, { ...anOrder, items }, { maxErrors: 5 })).toHaveLength(5);
  });
});

describe('fromJson on unions', () => {
  const multi = parseSchema({
    type: 'record',
    name: 'Multi',
    namespace: 'test',
    fields: [{ name: 'v', type: ['null', 'long', 'string', { type: 'record', name: 'Point', fields: [{ name: 'x', type: 'int' }] }], default: null }],
  });

  it('takes plain values, null for the null branch and the first branch that fits', () => {
    expect(valueOf(multi, { v: null })).toEqual({ v: null });
    expect(valueOf(multi, {})).toEqual({ v: null });
    expect(fieldType(multi, 'v').typeName).toBe('union:unwrapped');
    expect(valueOf(multi, { v: 5 })).toEqual({ v: 5 });
    expect(valueOf(multi, { v: 'five' })).toEqual({ v: 'five' });
    expect(valueOf(multi, { v: { x: 1 } })).toEqual({ v: { x: 1 } });
  });

  it('takes the Avro-JSON wrapped form by type name or by full and short record name', () => {
    const opt = parseSchema({ type: 'record', name: 'Opt', fields: [{ name: 'email', type: ['null', 'string'], default: null }] });
    expect(valueOf(opt, { email: { string: 'a@b.c' } })).toEqual({ email: 'a@b.c' });
    expect(valueOf(opt, { email: 'a@b.c' })).toEqual({ email: 'a@b.c' });
    expect(valueOf(multi, { v: { 'test.Point': { x: 1 } } })).toEqual({ v: { x: 1 } });
    expect(valueOf(multi, { v: { Point: { x: 2 } } })).toEqual({ v: { x: 2 } });
    expect(valueOf(multi, { v: { long: 7 } })).toEqual({ v: 7 });
    expect(valueOf(multi, { v: { string: 'wrapped' } })).toEqual({ v: 'wrapped' });
  });

  it('reports the inner problem of a wrapped value, at the field', () => {
    expect(errorsOf(multi, { v: { Point: { x: 'one' } } })).toEqual([{ path: 'v.x', problem: 'expected int, got "one"' }]);
  });

  it('reports the one branch of the same kind precisely, and lists the branches otherwise', () => {
    expect(errorsOf(multi, { v: { x: 1.5 } })).toEqual([{ path: 'v.x', problem: 'expected int, got 1.5' }]);
    expect(errorsOf(multi, { v: true })).toEqual([{ path: 'v', problem: 'expected one of null | long | string | object (record test.Point), got true' }]);
  });

  it('refuses null for a union without a null branch', () => {
    const noNull = parseSchema({ type: 'record', name: 'NoNull', fields: [{ name: 'v', type: ['int', 'string'] }] });
    expect(errorsOf(noNull, { v: null })).toEqual([{ path: 'v', problem: 'expected one of int | string, got null' }]);
  });

  it('builds wrapped values for unions avsc keeps wrapped', () => {
    const twoRecords = parseSchema({
      type: 'record',
      name: 'Two',
      fields: [
        {
          name: 'shape',
          type: [
            { type: 'record', name: 'Circle', fields: [{ name: 'r', type: 'double' }] },
            { type: 'record', name: 'Square', fields: [{ name: 'side', type: 'double' }] },
          ],
        },
      ],
    });
    expect(fieldType(twoRecords, 'shape').typeName).toBe('union:wrapped');
    expect(valueOf(twoRecords, { shape: { side: 2 } })).toEqual({ shape: { Square: { side: 2 } } });
    expect(valueOf(twoRecords, { shape: { Circle: { r: 1 } } })).toEqual({ shape: { Circle: { r: 1 } } });
    expect(errorsOf(twoRecords, { shape: { z: 1 } })[0]?.path).toBe('shape');
  });
});

describe('fromJson on leaf types', () => {
  const leaves = parseSchema({
    type: 'record',
    name: 'Leaves',
    fields: [
      { name: 'i', type: 'int', default: 0 },
      { name: 'l', type: 'long', default: 0 },
      { name: 'f', type: 'float', default: 0 },
      { name: 'd', type: 'double', default: 0 },
      { name: 'b', type: 'boolean', default: false },
      { name: 'bytes', type: 'bytes', default: '' },
      { name: 'fx', type: { type: 'fixed', name: 'Four', size: 4 }, default: '\u0000\u0000\u0000\u0000' },
      { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' }, default: 0 },
    ],
  });

  it('accepts integers for int and long, any finite number for float and double', () => {
    expect(valueOf(leaves, { i: -5, l: 2 ** 40, f: 1.5, d: 1e300, b: true })).toMatchObject({ i: -5, l: 2 ** 40, f: 1.5, d: 1e300, b: true });
  });

  it('is strict about numbers: no decimal strings, no fractions for integers, no out-of-range values', () => {
    expect(errorsOf(leaves, { i: 2 ** 31, l: '12', f: 'x', b: 'true' })).toEqual([
      { path: 'i', problem: 'expected int, got 2147483648 (outside the 32-bit range)' },
      { path: 'l', problem: 'expected long, got "12"' },
      { path: 'f', problem: 'expected float, got "x"' },
      { path: 'b', problem: 'expected boolean, got "true"' },
    ]);
    expect(errorsOf(leaves, { l: 2 ** 60 })).toEqual([{ path: 'l', problem: `expected long, got ${2 ** 60} (beyond ±(2^53-1): not exact as a JSON number)` }]);
    expect(errorsOf(leaves, { i: 1.5 })).toEqual([{ path: 'i', problem: 'expected int, got 1.5' }]);
  });

  it('takes bytes and fixed as standard base64, with or without padding', () => {
    const value = valueOf(leaves, { bytes: 'aGVsbG8=', fx: 'AQIDBA' }) as { bytes: Buffer; fx: Buffer };
    expect(value.bytes.toString()).toBe('hello');
    expect([...value.fx]).toEqual([1, 2, 3, 4]);
    expect(valueOf(leaves, { bytes: '' })).toMatchObject({ bytes: Buffer.alloc(0) });
  });

  it('refuses bytes that are not base64, and fixed of the wrong size', () => {
    expect(errorsOf(leaves, { bytes: 'not base64!', fx: 'AQID' })).toEqual([
      { path: 'bytes', problem: 'expected base64 string (bytes), got "not base64!" (not standard base64)' },
      { path: 'fx', problem: 'expected base64 string of 4 bytes (fixed Four), got "AQID" (3 bytes)' },
    ]);
    expect(errorsOf(leaves, { bytes: 'aGVsbG8-' })[0]?.path).toBe('bytes');
    expect(errorsOf(leaves, { bytes: [1, 2] })).toEqual([{ path: 'bytes', problem: 'expected base64 string (bytes), got array' }]);
  });

  it('takes timestamp-millis from ISO-8601 with a zone, a date, or epoch millis', () => {
    expect(valueOf(leaves, { ts: '2025-01-01T01:00:00+01:00' })).toMatchObject({ ts: Date.UTC(2025, 0, 1) });
    expect(valueOf(leaves, { ts: '2025-01-01' })).toMatchObject({ ts: Date.UTC(2025, 0, 1) });
    expect(valueOf(leaves, { ts: -1000 })).toMatchObject({ ts: -1000 });
  });

  it('refuses zoneless, impossible or fractional timestamps', () => {
    for (const ts of ['2025-01-01T00:00:00', '2025-02-30T00:00:00Z', 'yesterday', 1.5, '1735689600000']) {
      const [error] = errorsOf(leaves, { ts });
      expect(error?.path).toBe('ts');
      expect(error?.problem).toMatch(/^expected timestamp-millis \(ISO-8601 string with a zone, or epoch millis\), got /);
    }
  });

  it('takes a plain JSON value for a non-record top-level type', () => {
    expect(fromJson(parseSchema('"string"'), 'x')).toEqual({ ok: true, value: 'x' });
    expect(fromJson(parseSchema({ type: 'array', items: 'int' }), [1, 'a'])).toEqual({
      ok: false,
      errors: [{ path: '[1]', problem: 'expected int, got "a"' }],
    });
    expect(fromJson(parseSchema('"null"'), undefined)).toEqual({ ok: false, errors: [{ path: '', problem: 'expected null, got nothing' }] });
  });
});

describe('fromJson on the mesh SinkRecord', () => {
  it('converts a tombstone with defaults and a routedAt from ISO', () => {
    const value = valueOf(sinkRecord, {
      tenant: 'acme',
      source: 'crm',
      entityType: 'customer',
      id: 'c-1',
      revision: 3,
      occurredAt: 1_700_000_000_000,
      op: 'delete',
      routedAt: '2025-06-01T12:00:00Z',
    });
    expect(value).toMatchObject({
      priority: 'normal',
      op: 'delete',
      payload: null,
      payloadSchemaId: null,
      traceparent: null,
      routedAt: Date.UTC(2025, 5, 1, 12),
    });
  });

  it('takes payload bytes as base64 or wrapped', () => {
    const base = { tenant: 't', source: 's', entityType: 'e', id: 'i', revision: 0, occurredAt: 0, routedAt: 0 };
    expect((valueOf(sinkRecord, { ...base, payload: 'AAAAAAE=' }) as { payload: Buffer }).payload).toEqual(Buffer.from([0, 0, 0, 0, 1]));
    expect((valueOf(sinkRecord, { ...base, payload: { bytes: 'AAAAAAE=' } }) as { payload: Buffer }).payload).toEqual(Buffer.from([0, 0, 0, 0, 1]));
  });
});
