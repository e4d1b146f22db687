// The dedupe key of a record: SHA-256 over an unambiguous, language-neutral byte encoding of its
// identity. The encoding is documented (with test vectors) in libs/idempotency/README.md; any
// other implementation (a Python backfill, a SQL audit) must produce the same bytes.
import { createHash } from 'node:crypto';
import { ValidationError } from '@ingest-mesh/reason-codes';

export interface DedupeIdentity {
  tenant: string;
  source: string;
  entityType: string;
  id: string;
  /** A non-negative integer: a safe-integer number, a bigint, or a decimal string ("0", "42"). */
  revision: number | bigint | string;
}

/** First field of the encoding; bump it (and the README) if the encoding ever changes. */
export const DEDUPE_KEY_VERSION = 'v1';

const TEXT_FIELDS = ['tenant', 'source', 'entityType', 'id'] as const;
// With the u flag a well-formed surrogate pair is one code point, so this matches only lone
// surrogates. They must be refused: UTF-8 encoding would turn each into U+FFFD and let two
// different ids share one key.
const LONE_SURROGATE = /\p{Cs}/u;
const DECIMAL = /^[0-9]+$/;

/**
 * The canonical bytes that are hashed: for each of
 *   [DEDUPE_KEY_VERSION, tenant, source, entityType, id, revision as canonical decimal]
 * a 4-byte big-endian unsigned length of the field's UTF-8 bytes, then those bytes.
 * Length prefixes make field boundaries explicit, so no choice of separator characters
 * inside a field can make two different identities encode alike.
 */
export function canonicalDedupeEncoding(identity: DedupeIdentity): Buffer {
  const fields = [DEDUPE_KEY_VERSION, ...TEXT_FIELDS.map((name) => textField(identity, name)), canonicalRevision(identity.revision)];
  const parts: Buffer[] = [];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/** Lower-case hex SHA-256 of canonicalDedupeEncoding(identity): 64 characters. */
export function dedupeKey(identity: DedupeIdentity): string {
  return createHash('sha256').update(canonicalDedupeEncoding(identity)).digest('hex');
}

/** The revision as the decimal string that is hashed: 7, 7n, "7" and "007" are the same revision. */
export function canonicalRevision(revision: DedupeIdentity['revision']): string {
  if (typeof revision === 'number') {
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw invalid('revision', `revision must be a non-negative safe integer (use a bigint or decimal string above 2^53-1); got ${revision}`);
    }
    return String(revision);
  }
  if (typeof revision === 'bigint') {
    if (revision < 0n) throw invalid('revision', `revision must not be negative; got ${revision}`);
    return revision.toString(10);
  }
  if (typeof revision === 'string' && DECIMAL.test(revision)) return BigInt(revision).toString(10);
  throw invalid('revision', `revision must be a non-negative integer or a string of decimal digits; got ${describe(revision)}`);
}

function textField(identity: DedupeIdentity, name: (typeof TEXT_FIELDS)[number]): string {
  const value: unknown = identity[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(name, `${name} must be a non-empty string; got ${describe(value)}`);
  }
  if (LONE_SURROGATE.test(value)) throw invalid(name, `${name} is not well-formed Unicode (lone surrogate)`);
  return value;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`dedupe identity: ${message}`, { field, rule: 'dedupe-identity' });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'bigint' ? `${value}n` : String(value);
}
