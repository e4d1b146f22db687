import { describe, expect, it } from 'vitest';
import { checkEnvelope, MAX_JSON_DEPTH, nestsDeeperThan, nonFiniteNumbers, nonFiniteProblem, parseJsonEnvelope } from './envelope.js';

const good = { tenant: 'acme', source: 'crm', entityType: 'customer', id: 'c-1', revision: 3, occurredAt: '2025-01-01T00:00:00Z', payload: { name: 'A' } };
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return [(err as { code: string }).code, (err as Error).message];
  }
  return ['none', ''];
};

describe('parseJsonEnvelope', () => {
  it('reads a good envelope with defaults', () => {
    const e = parseJsonEnvelope(bytes(good), 1024);
    expect(e).toMatchObject({ tenant: 'acme', id: 'c-1', revision: 3, priority: 'normal', op: 'upsert', payload: { name: 'A' } });
    expect(e.occurredAt.toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it('accepts revisions as decimal strings up to 2^53-1', () => {
    expect(parseJsonEnvelope(bytes({ ...good, revision: '9007199254740991' }), 1024).revision).toBe(9007199254740991);
    expect(reasonOf(() => parseJsonEnvelope(bytes({ ...good, revision: '9007199254740992' }), 1024))[1]).toMatch(/up to 2\^53-1/);
  });

  it.each([
    ['truncated JSON', '{"tenant":"acme","id":', 'INVALID_PAYLOAD', /not JSON/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'INVALID_PAYLOAD', /not valid UTF-8/],
    ['missing id', { ...good, id: undefined }, 'VALIDATION_FAIL', /id: required field missing/],
    ['missing revision', { ...good, revision: undefined }, 'VALIDATION_FAIL', /revision: required field missing/],
    ['non-numeric revision', { ...good, revision: 'three' }, 'VALIDATION_FAIL', /revision: expected a non-negative integer/],
    ['negative revision', { ...good, revision: -1 }, 'VALIDATION_FAIL', /revision: expected a non-negative integer/],
    ['fractional revision', { ...good, revision: 1.5 }, 'VALIDATION_FAIL', /revision: expected a non-negative integer/],
    ['bad priority', { ...good, priority: 'urgent' }, 'VALIDATION_FAIL', /priority: expected high, normal or low/],
    ['payload not an object', { ...good, payload: [1, 2] }, 'VALIDATION_FAIL', /payload: expected an object/],
    ['upsert without payload', { ...good, payload: undefined }, 'VALIDATION_FAIL', /payload: required for op upsert/],
    ['bad time', { ...good, occurredAt: 'yesterday' }, 'VALIDATION_FAIL', /occurredAt: expected an ISO-8601 time/],
    ['not an object', '[1,2,3]', 'VALIDATION_FAIL', /\(record\): expected a JSON object/],
  ])('%s → %s', (_name, input, code, message) => {
    const [got, text] = reasonOf(() => parseJsonEnvelope(Buffer.isBuffer(input) ? input : bytes(input), 1024));
    expect(got).toBe(code);
    expect(text).toMatch(message);
  });

  it('rejects records over the size limit before parsing them', () => {
    const [code, message] = reasonOf(() => parseJsonEnvelope(Buffer.alloc(2048, 0x20), 1024));
    expect(code).toBe('PAYLOAD_TOO_LARGE');
    expect(message).toBe('record is 2048 bytes; the limit is 1024 (limits.maxRecordBytes)');
  });

  it(`refuses a record nested deeper than ${MAX_JSON_DEPTH} levels as INVALID_PAYLOAD, naming the limit`, () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    // The envelope is level 1 and its payload level 2: a payload holding 62 nested arrays reaches 64.
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const withPayloadField = (levels: number) => Buffer.from(JSON.stringify({ ...good, payload: { deep: '@' } }).replace('"@"', nested(levels)));
    expect(parseJsonEnvelope(withPayloadField(62), 4096).payload).toEqual({ deep: JSON.parse(nested(62)) });
    expect(reasonOf(() => parseJsonEnvelope(withPayloadField(63), 4096))).toEqual([
      'INVALID_PAYLOAD',
      'record nests deeper than 64 levels of objects and arrays (the limit)',
    ]);
    // Far deeper (would overflow a recursive walk), in the payload or in a field the envelope ignores.
    expect(reasonOf(() => parseJsonEnvelope(withPayloadField(100_000), 1 << 20))[0]).toBe('INVALID_PAYLOAD');
    const ignoredField = Buffer.from(JSON.stringify({ ...good, extra: '@' }).replace('"@"', nested(100_000)));
    expect(reasonOf(() => parseJsonEnvelope(ignoredField, 1 << 20))).toEqual([
      'INVALID_PAYLOAD',
      'record nests deeper than 64 levels of objects and arrays (the limit)',
    ]);
  });

  it('takes a delete without payload', () => {
    expect(parseJsonEnvelope(bytes({ ...good, op: 'delete', payload: undefined }), 1024)).toMatchObject({ op: 'delete', payload: null });
  });
});

describe('checkEnvelope', () => {
  it('lists every problem with its field', () => {
    const res = checkEnvelope({ tenant: '', revision: 'x' });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.problems.map((p) => p.field).sort()).toEqual(['entityType', 'id', 'revision', 'source', 'tenant']);
  });
});

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings (escaped quotes included)', () => {
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[{}]}]}', 4)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ s: '[[[[{{{{ \\" [[[[' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: 'a\\', t: [[]] }), 2)).toBe(true);
    expect(nestsDeeperThan('1e400', 0)).toBe(false);
  });

  it('handles any depth without recursion', () => {
    expect(nestsDeeperThan('['.repeat(1_000_000), MAX_JSON_DEPTH)).toBe(true);
  });
});

describe('nonFiniteNumbers', () => {
  it('names every number JSON.parse read as ±Infinity, by path', () => {
    const payload = JSON.parse('{"price":1e400,"ok":1.5,"items":[{"qty":1},{"qty":-1e400}],"a.b":{"c":2e308},"n":null}') as unknown;
    expect(nonFiniteNumbers(payload, 'payload')).toEqual([
      { path: 'payload.price', value: Infinity },
      { path: 'payload.items[1].qty', value: -Infinity },
      { path: 'payload["a.b"].c', value: Infinity },
    ]);
    expect(nonFiniteNumbers({ a: 1, b: [0, -0, Number.MAX_VALUE] }, 'payload')).toEqual([]);
    expect(nonFiniteNumbers([Infinity, Infinity, Infinity], 'x', 2)).toHaveLength(2);
  });

  it('says what is wrong', () => {
    expect(nonFiniteProblem(-Infinity)).toBe('expected a finite number, got -Infinity (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it');
  });
});
