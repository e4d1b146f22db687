// HMAC-SHA256 signatures over the canonical encoding: only holders of the control secret can
// issue commands, and a command is refused outside its validity window.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalEncoding } from './canonical.js';
import type { ControlCommand, UnsignedCommand } from './command.js';
import { assertStrongSecret, ControlSecretError, type ControlSecret } from './secret.js';
import { assertUnsignedCommand, parseControlCommand } from './shape.js';

/** Tolerated clock difference between the issuer and the verifier. */
export const DEFAULT_MAX_SKEW_MS = 30_000;
/** Longest accepted expiresAt - issuedAt; it also bounds how long a ReplayGuard must remember an id. */
export const DEFAULT_MAX_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type VerifyFailureReason = 'unsigned' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'malformed';

export type VerifyResult =
  | { ok: true; /** Which of the given secrets matched: 0 = current, 1+ = older ones (rotate them out). */ secretIndex: number }
  | { ok: false; reason: VerifyFailureReason; message: string };

export interface VerifyOptions {
  now?: Date;
  maxSkewMs?: number;
  maxLifetimeMs?: number;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** Signs every field of the command; extra properties of `cmd` are dropped, not signed. */
export function signCommand(cmd: UnsignedCommand, secret: ControlSecret): ControlCommand {
  const key = assertStrongSecret(secret);
  const unsigned = assertUnsignedCommand(cmd);
  return { ...unsigned, signature: hmac(key, canonicalEncoding(unsigned)).toString('hex') };
}

/**
 * Checks, in this order: shape (malformed), presence of a signature (unsigned), the HMAC against
 * each secret in constant time (bad-signature), then the validity window (not-yet-valid, expired).
 * `secret` may list several keys (current first) so a secret can be rotated without downtime.
 */
export function verifyCommand(cmd: unknown, secret: ControlSecret | readonly ControlSecret[], opts: VerifyOptions = {}): VerifyResult {
  const secrets: readonly ControlSecret[] = typeof secret === 'string' || Buffer.isBuffer(secret) ? [secret] : secret;
  if (secrets.length === 0) throw new ControlSecretError('verifyCommand needs at least one control secret');
  const keys = secrets.map((s, i) => assertStrongSecret(s, `control secret #${i}`));
  const maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const maxLifetimeMs = opts.maxLifetimeMs ?? DEFAULT_MAX_LIFETIME_MS;

  const parsed = parseControlCommand(cmd);
  if (!parsed.ok) return refuse('malformed', `${parsed.field} ${parsed.problem}`);
  const command = parsed.command;
  if (command.expiresAt - command.issuedAt > maxLifetimeMs) {
    return refuse('malformed', `validity window of ${command.expiresAt - command.issuedAt} ms exceeds the allowed ${maxLifetimeMs} ms`);
  }
  if (command.signature === '') return refuse('unsigned', `command ${command.id} carries no signature`);
  if (!HEX_SHA256.test(command.signature)) return refuse('bad-signature', `command ${command.id}: signature is not 64 hex digits`);

  const given = Buffer.from(command.signature, 'hex');
  const bytes = canonicalEncoding(command);
  let secretIndex = -1;
  // Every key is tried, so the time taken does not say which one matched.
  keys.forEach((key, i) => {
    if (timingSafeEqual(hmac(key, bytes), given) && secretIndex < 0) secretIndex = i;
  });
  if (secretIndex < 0) return refuse('bad-signature', `command ${command.id}: signature does not match any control secret`);

  const now = (opts.now ?? new Date()).getTime();
  if (command.issuedAt - maxSkewMs > now) {
    return refuse('not-yet-valid', `command ${command.id} is issued at ${iso(command.issuedAt)}, in the future`);
  }
  if (now > command.expiresAt + maxSkewMs) {
    return refuse('expired', `command ${command.id} expired at ${iso(command.expiresAt)}`);
  }
  return { ok: true, secretIndex };
}

function hmac(key: Buffer, bytes: Buffer): Buffer {
  return createHmac('sha256', key).update(bytes).digest();
}

function refuse(reason: VerifyFailureReason, message: string): VerifyResult {
  return { ok: false, reason, message };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
