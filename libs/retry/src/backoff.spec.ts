import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, assertRetryPolicy, backoffDelay, type RetryPolicy } from './backoff.js';

const policyArb: fc.Arbitrary<RetryPolicy> = fc.record({
  baseMs: fc.integer({ min: 1, max: 60_000 }),
  capMs: fc.integer({ min: 1, max: 600_000 }),
  maxAttempts: fc.integer({ min: 1, max: 20 }),
});
/** Values random() may return: [0, 1). */
const unitArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoffDelay', () => {
  it('is an integer with 0 <= d < min(cap, base * 2^(n-1)) for any policy, attempt and random (property)', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 2000 }), unitArb, (policy, attempt, sample) => {
        const delay = backoffDelay(attempt, policy, () => sample);
        const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }),
    );
  });

  it('grows with the attempt for the same random draw until the cap (property)', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 60 }), unitArb, (policy, attempt, sample) => {
        expect(backoffDelay(attempt + 1, policy, () => sample)).toBeGreaterThanOrEqual(backoffDelay(attempt, policy, () => sample));
      }),
    );
  });

  it('is full jitter: the largest draw reaches just under the ceiling, the smallest is 0', () => {
    const almostOne = 1 - Number.EPSILON;
    // Default policy: ceilings 200, 400, 800, 1600, 3200 … 30 000 (cap).
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, DEFAULT_RETRY_POLICY, () => almostOne))).toEqual([199, 399, 799, 1599, 3199]);
    expect(backoffDelay(9, DEFAULT_RETRY_POLICY, () => almostOne)).toBe(29_999);
    expect(backoffDelay(5, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
    expect(backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(400);
  });

  it('stays at the cap for attempts large enough to overflow 2^n', () => {
    expect(backoffDelay(5000, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(15_000);
  });

  it('is 0 for a zero base (retry immediately)', () => {
    expect(backoffDelay(3, { baseMs: 0, capMs: 1000, maxAttempts: 3 }, () => 0.9)).toBe(0);
  });

  it('uses Math.random by default and stays in bounds', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(4, DEFAULT_RETRY_POLICY);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(1600);
    }
  });

  it('rejects bad attempts and a random() outside [0, 1)', () => {
    expect(() => backoffDelay(0, DEFAULT_RETRY_POLICY)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, DEFAULT_RETRY_POLICY)).toThrow(RangeError);
    expect(() => backoffDelay(1, DEFAULT_RETRY_POLICY, () => 1)).toThrow(RangeError);
    expect(() => backoffDelay(1, DEFAULT_RETRY_POLICY, () => Number.NaN)).toThrow(RangeError);
  });
});

describe('assertRetryPolicy', () => {
  it('accepts the default policy', () => {
    expect(() => assertRetryPolicy(DEFAULT_RETRY_POLICY)).not.toThrow();
    expect(DEFAULT_RETRY_POLICY).toEqual({ baseMs: 200, capMs: 30_000, maxAttempts: 5 });
  });

  it.each([
    [{ baseMs: -1, capMs: 1000, maxAttempts: 3 }, /baseMs/],
    [{ baseMs: 100, capMs: Number.POSITIVE_INFINITY, maxAttempts: 3 }, /capMs/],
    [{ baseMs: 100, capMs: 2 ** 31, maxAttempts: 3 }, /capMs/],
    [{ baseMs: 100, capMs: 1000, maxAttempts: 0 }, /maxAttempts/],
    [{ baseMs: 100, capMs: 1000, maxAttempts: 2.5 }, /maxAttempts/],
  ])('rejects %o naming the field', (policy, field) => {
    expect(() => assertRetryPolicy(policy)).toThrow(field);
  });
});
