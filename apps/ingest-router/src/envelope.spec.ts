import { describe, expect, it } from 'vitest';
import { checkEnvelope, parseJsonEnvelope } from './envelope.js';

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
