import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REASON_CODE_LIST } from '@ingest-mesh/reason-codes';
import { canonicalEncoding } from './canonical.js';
import { CONTROL_COMMAND_TYPES, type UnsignedCommand } from './command.js';
import { signCommand } from './signature.js';

// The published test vectors of libs/control/README.md; an independent implementation of the
// README's layout must reproduce these bytes and signatures.
const VECTOR_SECRET = 'mesh-control-test-vector-secret-0123456789';

const VECTOR_1: UnsignedCommand = {
  id: '0b5c2f9e-6a43-4c1e-9f1a-7d2e8b3c4a51',
  type: 'redrive',
  target: { app: 'sink-postgres', tenant: 'acme', reason: 'CONNECTION_ERROR' },
  args: { limit: '1000', dryRun: 'false' },
  issuedBy: 'ops@example.com',
  issuedAt: Date.parse('2025-01-01T00:00:00Z'),
  expiresAt: Date.parse('2025-01-01T00:15:00Z'),
};
const VECTOR_1_BYTES =
  '0000000f6d6573682e636f6e74726f6c2e76310000002430623563326639652d366134332d346331652d396631612d3764326538623363346135310000000772656472697665010000000d73696e6b2d706f737467726573010000000461636d650100000010434f4e4e454354494f4e5f4552524f52000000020000000664727952756e0000000566616c7365000000056c696d697400000004313030300000000f6f7073406578616d706c652e636f6d000001941f297c00000001941f3737a0';
const VECTOR_1_SIGNATURE = '0311e37bd8252d072d94e9e9e6900de1bf3258e94826807f105576b5bb3aa804';

const VECTOR_2: UnsignedCommand = {
  id: '7f3e1d2c-0a9b-4c8d-8e7f-6a5b4c3d2e1f',
  type: 'drain',
  target: { app: null, tenant: null, reason: null },
  args: {},
  issuedBy: 'Zoë',
  issuedAt: Date.parse('2025-01-01T00:00:00Z'),
  expiresAt: Date.parse('2025-01-01T00:01:00Z'),
};
const VECTOR_2_BYTES =
  '0000000f6d6573682e636f6e74726f6c2e76310000002437663365316432632d306139622d346338642d386537662d36613562346333643265316600000005647261696e00000000000000000000045a6fc3ab000001941f297c00000001941f2a6660';
const VECTOR_2_SIGNATURE = '9d115489adcb2e6b4e49e15b7b31c19816bf8909cda56d960ac5ffa378216479';

describe('canonicalEncoding', () => {
  it('reproduces the README test vectors byte for byte', () => {
    expect(canonicalEncoding(VECTOR_1).toString('hex')).toBe(VECTOR_1_BYTES);
    expect(canonicalEncoding(VECTOR_2).toString('hex')).toBe(VECTOR_2_BYTES);
  });

  it('signs the README test vectors to the published signatures', () => {
    expect(signCommand(VECTOR_1, VECTOR_SECRET).signature).toBe(VECTOR_1_SIGNATURE);
    expect(signCommand(VECTOR_2, VECTOR_SECRET).signature).toBe(VECTOR_2_SIGNATURE);
    // The signature is plain HMAC-SHA256 over those bytes, nothing more.
    const expected = createHmac('sha256', VECTOR_SECRET).update(Buffer.from(VECTOR_1_BYTES, 'hex')).digest('hex');
    expect(expected).toBe(VECTOR_1_SIGNATURE);
  });

  it('does not depend on the insertion order of args', () => {
    const reordered = { ...VECTOR_1, args: { dryRun: 'false', limit: '1000' } };
    expect(canonicalEncoding(reordered).equals(canonicalEncoding(VECTOR_1))).toBe(true);
  });

  it('orders args by UTF-8 bytes (code points), not by UTF-16 units', () => {
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 code unit.
    const cmd = { ...VECTOR_2, args: { '😀': 'b', '～': 'a' } };
    const hex = canonicalEncoding(cmd).toString('hex');
    const fullwidth = Buffer.from('～').toString('hex');
    const emoji = Buffer.from('😀').toString('hex');
    expect(hex.indexOf(fullwidth)).toBeLessThan(hex.indexOf(emoji));
  });

  it('gives different commands different bytes (no two fields can be confused)', () => {
    const optionalName = fc.option(fc.string({ minLength: 1, maxLength: 6 }), { nil: null });
    const command = fc.record({
      id: fc.uuid().map((u) => u.toLowerCase()),
      type: fc.constantFrom(...CONTROL_COMMAND_TYPES),
      target: fc.record({ app: optionalName, tenant: optionalName, reason: fc.option(fc.constantFrom(...REASON_CODE_LIST), { nil: null }) }),
      args: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
      issuedBy: fc.string({ minLength: 1, maxLength: 6 }),
      issuedAt: fc.integer({ min: 0, max: 2 ** 40 }),
      expiresAt: fc.integer({ min: 0, max: 2 ** 40 }),
    });
    fc.assert(
      fc.property(command, command, (a, b) => {
        const same = canonicalEncoding(a).equals(canonicalEncoding(b));
        expect(same).toBe(sameCommand(a, b));
      }),
      { numRuns: 2000 },
    );
    // Shrunk neighbours that random pairs rarely hit: a value moved between adjacent fields.
    const base = { ...VECTOR_2, target: { app: 'ab', tenant: null, reason: null } };
    const moved = { ...VECTOR_2, target: { app: null, tenant: 'ab', reason: null } };
    const split = { ...VECTOR_2, args: { a: 'b' } };
    const joined = { ...VECTOR_2, args: { ab: '' } };
    expect(canonicalEncoding(base).equals(canonicalEncoding(moved))).toBe(false);
    expect(canonicalEncoding(split).equals(canonicalEncoding(joined))).toBe(false);
  });
});

function sameCommand(a: UnsignedCommand, b: UnsignedCommand): boolean {
  const sortedArgs = (c: UnsignedCommand) => Object.entries(c.args).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return (
    JSON.stringify([a.id, a.type, a.target.app, a.target.tenant, a.target.reason, sortedArgs(a), a.issuedBy, a.issuedAt, a.expiresAt]) ===
    JSON.stringify([b.id, b.type, b.target.app, b.target.tenant, b.target.reason, sortedArgs(b), b.issuedBy, b.issuedAt, b.expiresAt])
  );
}
