import { ValidationError } from '@ingest-mesh/reason-codes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDedupeEncoding, canonicalRevision, dedupeKey, type DedupeIdentity } from './dedupe-key.js';

// The vectors published in libs/idempotency/README.md, computed independently with Python's
// hashlib/struct (see the README), not with this implementation.
const VECTORS: { identity: DedupeIdentity; encodingHex: string; key: string }[] = [
  {
    identity: { tenant: 'acme', source: 'crm', entityType: 'customer', id: '42', revision: 1 },
    encodingHex: '0000000276310000000461636d650000000363726d00000008637573746f6d65720000000234320000000131',
    key: '3ebc3208a619b80211013c8f3a63937ffa00156a38ca9e9691fb5ca83e67184b',
  },
  {
    identity: { tenant: 'a:b', source: 'c', entityType: 'customer', id: '42', revision: 1 },
    encodingHex: '00000002763100000003613a62000000016300000008637573746f6d65720000000234320000000131',
    key: 'f821e1421cb3363927041274d4307c32ea2c70f3bcbd1cb4d6d9f2d9e0cdb1e7',
  },
  {
    identity: { tenant: 'a', source: 'b:c', entityType: 'customer', id: '42', revision: 1 },
    encodingHex: '000000027631000000016100000003623a6300000008637573746f6d65720000000234320000000131',
    key: '053ebc7f9f3550b3c30cd7b573f877cdf39a6115bf5b95f1491fea8ccdb2f74e',
  },
  {
    identity: { tenant: 'tenant-ü', source: 'src', entityType: 'order', id: 'ORD-ß-€-😀', revision: 18446744073709551616n },
    encodingHex:
      '0000000276310000000974656e616e742dc3bc00000003737263000000056f726465720000000f4f52442dc39f2de282ac2df09f9880000000143138343436373434303733373039353531363136',
    key: 'd09cd75db9a314d7acbc1bd49d0081a58de470b1447450ac641b068e3f8e9d90',
  },
  {
    identity: { tenant: 't', source: 's', entityType: 'e', id: 'i', revision: '0' },
    encodingHex: '00000002763100000001740000000173000000016500000001690000000130',
    key: '16e1259a8fa132d3dab3ab6cafb91e3c5eb36f2f9662210594bc0c5a3c4dcda8',
  },
];

/** Inverse of the documented encoding; if it always recovers the fields, the encoding is injective. */
function decodeFields(bytes: Buffer): string[] {
  const fields: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    fields.push(bytes.subarray(at + 4, at + 4 + length).toString('utf8'));
    at += 4 + length;
  }
  return fields;
}

const text = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
const identity = fc.record({
  tenant: text,
  source: text,
  entityType: text,
  id: text,
  revision: fc.bigInt({ min: 0n, max: 2n ** 70n }),
});

describe('dedupeKey', () => {
  it.each(VECTORS)('matches the published vector for $identity.tenant/$identity.source/$identity.id', ({ identity, encodingHex, key }) => {
    expect(canonicalDedupeEncoding(identity).toString('hex')).toBe(encodingHex);
    expect(dedupeKey(identity)).toBe(key);
  });

  it('keeps field boundaries: separators inside a field cannot shift it into the next', () => {
    const base = { entityType: 'customer', id: '42', revision: 1 };
    expect(dedupeKey({ ...base, tenant: 'a:b', source: 'c' })).not.toBe(dedupeKey({ ...base, tenant: 'a', source: 'b:c' }));
    expect(dedupeKey({ tenant: 't', source: 's', entityType: 'e|x', id: 'i', revision: 1 })).not.toBe(
      dedupeKey({ tenant: 't', source: 's', entityType: 'e', id: 'x|i', revision: 1 }),
    );
    expect(dedupeKey({ tenant: 't', source: 's', entityType: 'e', id: 'i1', revision: 1 })).not.toBe(
      dedupeKey({ tenant: 't', source: 's', entityType: 'e', id: 'i', revision: 11 }),
    );
    // A field that itself looks like a length prefix plus the next field.
    expect(dedupeKey({ tenant: 'a\u0000\u0000\u0000\u0001b', source: 'c', entityType: 'e', id: 'i', revision: 1 })).not.toBe(
      dedupeKey({ tenant: 'a', source: 'b', entityType: 'c', id: 'e', revision: 1 }),
    );
  });

  it('encodes every identity reversibly, so different identities never share an encoding', () => {
    fc.assert(
      fc.property(identity, (id) => {
        expect(decodeFields(canonicalDedupeEncoding(id))).toEqual(['v1', id.tenant, id.source, id.entityType, id.id, id.revision.toString()]);
      }),
    );
  });

  it('changes the key when any single field changes', () => {
    const fields = ['tenant', 'source', 'entityType', 'id'] as const;
    fc.assert(
      fc.property(identity, fc.constantFrom(...fields, 'revision' as const), text, (x, field, other) => {
        const changed = field === 'revision' ? { ...x, revision: x.revision + 1n } : { ...x, [field]: x[field] + other };
        expect(dedupeKey(changed)).not.toBe(dedupeKey(x));
        expect(dedupeKey({ ...x })).toBe(dedupeKey(x));
      }),
    );
  });

  it('is 64 lower-case hex characters', () => {
    fc.assert(
      fc.property(identity, (id) => {
        expect(dedupeKey(id)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });

  it('treats a revision the same whether number, bigint or decimal string', () => {
    const at = (revision: DedupeIdentity['revision']) => dedupeKey({ tenant: 't', source: 's', entityType: 'e', id: 'i', revision });
    expect(at(7)).toBe(at(7n));
    expect(at('7')).toBe(at(7));
    expect(at('007')).toBe(at(7));
    expect(at(8)).not.toBe(at(7));
    expect(canonicalRevision('9007199254740993')).toBe('9007199254740993');
    expect(canonicalRevision(0)).toBe('0');
  });

  it.each([
    ['negative number', -1],
    ['fraction', 1.5],
    ['unsafe integer', 2 ** 53],
    ['NaN', Number.NaN],
    ['negative bigint', -1n],
    ['empty string', ''],
    ['signed string', '+1'],
    ['exponent string', '1e3'],
    ['padded string', ' 1'],
    ['hex string', '0x10'],
  ])('refuses a %s revision', (_name, revision) => {
    const error = captureError(() => dedupeKey({ tenant: 't', source: 's', entityType: 'e', id: 'i', revision: revision as DedupeIdentity['revision'] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAIL', retryable: false, field: 'revision' });
  });

  it.each(['tenant', 'source', 'entityType', 'id'] as const)('refuses an empty, missing or ill-formed %s', (field) => {
    const good: DedupeIdentity = { tenant: 't', source: 's', entityType: 'e', id: 'i', revision: 1 };
    for (const bad of ['', undefined, 42, 'x\uD800y']) {
      const error = captureError(() => dedupeKey({ ...good, [field]: bad } as DedupeIdentity));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field });
    }
  });

  it('accepts well-formed surrogate pairs and keeps them apart from their replacement character', () => {
    const withEmoji = { tenant: 't', source: 's', entityType: 'e', id: '😀', revision: 1 };
    expect(dedupeKey(withEmoji)).not.toBe(dedupeKey({ ...withEmoji, id: '\uFFFD' }));
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
