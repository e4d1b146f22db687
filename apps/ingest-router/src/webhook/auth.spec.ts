// Token checks: digests compared with timingSafeEqual on every path (wrong, missing, unknown tenant).
import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { bearerToken, tokenDigest, tokenMatches } from './auth.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const compare = vi.mocked(crypto.timingSafeEqual);
const digest = tokenDigest('acme-secret-token');

beforeEach(() => {
  compare.mockClear();
});

describe('tokenMatches', () => {
  it('accepts the token whose SHA-256 digest is configured', () => {
    expect(digest).toEqual(crypto.createHash('sha256').update('acme-secret-token').digest());
    expect(tokenMatches('acme-secret-token', digest)).toBe(true);
  });

  it('refuses a wrong, shorter, longer, empty or missing token', () => {
    for (const presented of ['acme-secret-tokem', 'acme', 'acme-secret-token-and-more', '', undefined]) {
      expect(tokenMatches(presented, digest)).toBe(false);
    }
  });

  it('refuses every token for an unknown tenant or a malformed digest', () => {
    expect(tokenMatches('acme-secret-token', undefined)).toBe(false);
    expect(tokenMatches('', undefined)).toBe(false);
    expect(tokenMatches('acme-secret-token', Buffer.from('short'))).toBe(false);
  });

  it('always compares two 32-byte digests once with timingSafeEqual, whatever was presented', () => {
    const cases: [string | undefined, Buffer | undefined][] = [
      ['acme-secret-token', digest],
      ['x'.repeat(10_000), digest],
      [undefined, digest],
      ['acme-secret-token', undefined],
    ];
    for (const [presented, expected] of cases) {
      compare.mockClear();
      tokenMatches(presented, expected);
      expect(compare).toHaveBeenCalledTimes(1);
      const [a, b] = compare.mock.calls[0]!;
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });
});

describe('bearerToken', () => {
  it('reads the token of an Authorization: Bearer header, case-insensitively', () => {
    expect(bearerToken({ authorization: 'Bearer abc.def' })).toBe('abc.def');
    expect(bearerToken({ authorization: 'bearer   abc ' })).toBe('abc');
  });

  it('is undefined for other schemes, no token or no header', () => {
    expect(bearerToken({ authorization: 'Basic YWJjOmRlZg==' })).toBeUndefined();
    expect(bearerToken({ authorization: 'Bearer ' })).toBeUndefined();
    expect(bearerToken({ authorization: 'Bearer a b' })).toBeUndefined();
    expect(bearerToken({})).toBeUndefined();
  });
});
