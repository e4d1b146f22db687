import { describe, expect, it } from 'vitest';
import type { ControlCommand, UnsignedCommand } from './command.js';
import { ControlSecretError } from './secret.js';
import { InvalidCommandError } from './shape.js';
import { DEFAULT_MAX_SKEW_MS, signCommand, verifyCommand, type VerifyResult } from './signature.js';

const SECRET = 'a'.repeat(16) + 'control-secret-for-unit-tests';
const OTHER_SECRET = 'b'.repeat(16) + 'another-secret-nobody-has-here';
const ISSUED = Date.parse('2026-03-01T12:00:00Z');
const EXPIRES = ISSUED + 10 * 60_000;
const DURING = new Date(ISSUED + 60_000);

function unsigned(): UnsignedCommand {
  return {
    id: '5d6f0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
    type: 'brownout',
    target: { app: 'sink-search', tenant: 'acme', reason: 'SINK_TIMEOUT' },
    args: { sampleRate: '0.5', note: 'slow cluster' },
    issuedBy: 'oncall@example.com',
    issuedAt: ISSUED,
    expiresAt: EXPIRES,
  };
}

function failure(result: VerifyResult): string {
  return result.ok ? 'ok' : result.reason;
}

describe('signCommand / verifyCommand', () => {
  it('round-trips: a signed command verifies with the same secret', () => {
    const signed = signCommand(unsigned(), SECRET);
    expect(signed.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyCommand(signed, SECRET, { now: DURING })).toEqual({ ok: true, secretIndex: 0 });
  });

  it('accepts a Buffer secret equal to the string secret', () => {
    const signed = signCommand(unsigned(), Buffer.from(SECRET));
    expect(verifyCommand(signed, SECRET, { now: DURING }).ok).toBe(true);
  });

  it('signs only the schema fields: extra properties are dropped and do not change the signature', () => {
    const withExtra = { ...unsigned(), extra: 'ignored' } as UnsignedCommand;
    const signed = signCommand(withExtra, SECRET);
    expect(signed).not.toHaveProperty('extra');
    expect(signed.signature).toBe(signCommand(unsigned(), SECRET).signature);
  });

  const tampers: Array<[string, (c: ControlCommand) => ControlCommand]> = [
    ['id', (c) => ({ ...c, id: '5d6f0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5c' })],
    ['type', (c) => ({ ...c, type: 'purge' })],
    ['target.app', (c) => ({ ...c, target: { ...c.target, app: 'sink-postgres' } })],
    ['target.app → all apps', (c) => ({ ...c, target: { ...c.target, app: null } })],
    ['target.tenant', (c) => ({ ...c, target: { ...c.target, tenant: 'globex' } })],
    ['target.reason', (c) => ({ ...c, target: { ...c.target, reason: 'CONNECTION_ERROR' } })],
    ['target.reason removed', (c) => ({ ...c, target: { ...c.target, reason: null } })],
    ['an arg value', (c) => ({ ...c, args: { ...c.args, sampleRate: '0.9' } })],
    ['an arg added', (c) => ({ ...c, args: { ...c.args, limit: '10' } })],
    ['an arg removed', (c) => ({ ...c, args: { sampleRate: '0.5' } })],
    ['an arg renamed', (c) => ({ ...c, args: { sampleRate: '0.5', Note: 'slow cluster' } })],
    ['issuedBy', (c) => ({ ...c, issuedBy: 'mallory@example.com' })],
    ['issuedAt', (c) => ({ ...c, issuedAt: c.issuedAt - 1 })],
    ['expiresAt', (c) => ({ ...c, expiresAt: c.expiresAt + 1 })],
    ['signature', (c) => ({ ...c, signature: flipLastHexDigit(c.signature) })],
  ];
  it.each(tampers)('refuses a command whose %s was changed after signing (bad-signature)', (_field, tamper) => {
    const signed = signCommand(unsigned(), SECRET);
    const result = verifyCommand(tamper(signed), SECRET, { now: DURING });
    expect(failure(result)).toBe('bad-signature');
  });

  it('refuses a command signed with another secret (bad-signature)', () => {
    const forged = signCommand(unsigned(), OTHER_SECRET);
    const result = verifyCommand(forged, SECRET, { now: DURING });
    expect(result).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(result.ok ? '' : result.message).toContain(unsigned().id);
  });

  it('accepts the previous secret during a rotation and says which one matched', () => {
    const oldSigned = signCommand(unsigned(), OTHER_SECRET);
    const newSigned = signCommand(unsigned(), SECRET);
    expect(verifyCommand(oldSigned, [SECRET, OTHER_SECRET], { now: DURING })).toEqual({ ok: true, secretIndex: 1 });
    expect(verifyCommand(newSigned, [SECRET, OTHER_SECRET], { now: DURING })).toEqual({ ok: true, secretIndex: 0 });
    // Once the previous secret is dropped, commands signed with it stop working.
    expect(failure(verifyCommand(oldSigned, [SECRET], { now: DURING }))).toBe('bad-signature');
  });

  it('refuses an expired command, allowing the clock skew', () => {
    const signed = signCommand(unsigned(), SECRET);
    expect(verifyCommand(signed, SECRET, { now: new Date(EXPIRES + DEFAULT_MAX_SKEW_MS) }).ok).toBe(true);
    expect(failure(verifyCommand(signed, SECRET, { now: new Date(EXPIRES + DEFAULT_MAX_SKEW_MS + 1) }))).toBe('expired');
    expect(failure(verifyCommand(signed, SECRET, { now: new Date(EXPIRES + 1), maxSkewMs: 0 }))).toBe('expired');
  });

  it('refuses a command issued in the future beyond the clock skew (not-yet-valid)', () => {
    const signed = signCommand(unsigned(), SECRET);
    expect(verifyCommand(signed, SECRET, { now: new Date(ISSUED - DEFAULT_MAX_SKEW_MS) }).ok).toBe(true);
    expect(failure(verifyCommand(signed, SECRET, { now: new Date(ISSUED - DEFAULT_MAX_SKEW_MS - 1) }))).toBe('not-yet-valid');
  });

  it('checks the signature before the validity window, so a forged expired command is reported as forged', () => {
    const forged = signCommand(unsigned(), OTHER_SECRET);
    expect(failure(verifyCommand(forged, SECRET, { now: new Date(EXPIRES + 3_600_000) }))).toBe('bad-signature');
  });

  it('refuses a command without a signature (unsigned)', () => {
    const signed = signCommand(unsigned(), SECRET);
    expect(failure(verifyCommand({ ...signed, signature: '' }, SECRET, { now: DURING }))).toBe('unsigned');
  });

  it.each([
    ['not hex', 'z'.repeat(64)],
    ['too short', 'ab'.repeat(16)],
    ['too long', 'ab'.repeat(33)],
  ])('refuses a signature that is %s (bad-signature)', (_what, signature) => {
    const signed = signCommand(unsigned(), SECRET);
    expect(failure(verifyCommand({ ...signed, signature }, SECRET, { now: DURING }))).toBe('bad-signature');
  });

  const malformed: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'drain everything'],
    ['an array', []],
    ['no signature field', unsigned()],
    ['an upper-case id', { ...signCommand(unsigned(), SECRET), id: '5D6F0A1B-2C3D-4E5F-8A9B-0C1D2E3F4A5B' }],
    ['a non-UUID id', { ...signCommand(unsigned(), SECRET), id: 'cmd-1' }],
    ['an unknown type', { ...signCommand(unsigned(), SECRET), type: 'shutdown' }],
    ['an unknown reason', { ...signCommand(unsigned(), SECRET), target: { app: null, tenant: null, reason: 'OOPS' } }],
    ['an empty target app', { ...signCommand(unsigned(), SECRET), target: { app: '', tenant: null, reason: null } }],
    ['a non-string arg', { ...signCommand(unsigned(), SECRET), args: { limit: 10 } }],
    ['a lone surrogate', { ...signCommand(unsigned(), SECRET), issuedBy: 'x\ud800' }],
    ['a fractional timestamp', { ...signCommand(unsigned(), SECRET), issuedAt: ISSUED + 0.5 }],
    ['expiresAt not after issuedAt', { ...signCommand(unsigned(), SECRET), expiresAt: ISSUED }],
    ['an empty issuedBy', { ...signCommand(unsigned(), SECRET), issuedBy: '' }],
  ];
  it.each(malformed)('refuses %s (malformed)', (_what, value) => {
    const result = verifyCommand(value, SECRET, { now: DURING });
    expect(failure(result)).toBe('malformed');
    expect(result.ok ? '' : result.message).not.toBe('');
  });

  it('refuses a validity window longer than maxLifetimeMs (malformed), so replay memory stays bounded', () => {
    const long = signCommand({ ...unsigned(), expiresAt: ISSUED + 2 * 86_400_000 }, SECRET);
    expect(failure(verifyCommand(long, SECRET, { now: DURING }))).toBe('malformed');
    expect(verifyCommand(long, SECRET, { now: DURING, maxLifetimeMs: 3 * 86_400_000 }).ok).toBe(true);
  });

  it('refuses to sign a malformed command', () => {
    expect(() => signCommand({ ...unsigned(), type: 'reboot' as never }, SECRET)).toThrow(InvalidCommandError);
    expect(() => signCommand({ ...unsigned(), type: 'reboot' as never }, SECRET)).toThrow(/type/);
  });

  it('refuses secrets shorter than 32 bytes for signing and verifying', () => {
    expect(() => signCommand(unsigned(), 'short')).toThrow(ControlSecretError);
    const signed = signCommand(unsigned(), SECRET);
    expect(() => verifyCommand(signed, [SECRET, 'short'])).toThrow(ControlSecretError);
    expect(() => verifyCommand(signed, [])).toThrow(ControlSecretError);
  });
});

function flipLastHexDigit(hex: string): string {
  const last = hex.at(-1) === '0' ? '1' : '0';
  return hex.slice(0, -1) + last;
}
