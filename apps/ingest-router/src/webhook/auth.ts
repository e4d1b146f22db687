// Per-tenant bearer tokens, compared as SHA-256 digests with timingSafeEqual: equal lengths
// whatever the caller sends, no early exit, and the same work for an unknown tenant as for a
// wrong token, so neither the token nor the existence of a tenant leaks through timing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The digest a tenant's token is kept as (config + env → `tokenSha256`). */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

// Compared against when the tenant is unknown (or its digest malformed): no token matches it.
const NO_TENANT = randomBytes(32);

/**
 * Whether `presented` is the token whose digest is `expected`. Always hashes and always runs one
 * timingSafeEqual over two 32-byte digests, also when the token is missing or the tenant unknown.
 */
export function tokenMatches(presented: string | undefined, expected: Buffer | undefined): boolean {
  const known = expected !== undefined && expected.length === NO_TENANT.length;
  const same = timingSafeEqual(tokenDigest(presented ?? ''), known ? expected : NO_TENANT);
  return same && known && presented !== undefined;
}
