import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

// Slack for float rounding when comparing token totals; far below one token.
const TOLERANCE = 1e-6;

type Op = { kind: 'advance'; ms: number } | { kind: 'take'; n: number } | { kind: 'setRate'; ratePerSec: number };

const rate = fc.double({ min: 0.01, max: 5_000, noNaN: true });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.double({ min: 0, max: 50, noNaN: true })) }),
  fc.record({ kind: fc.constant('take' as const), n: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 10, noNaN: true })) }),
  fc.record({ kind: fc.constant('setRate' as const), ratePerSec: rate }),
);

describe('TokenBucket properties', () => {
  it('never grants more than burst + the tokens earned over the elapsed time, whatever the sequence', () => {
    fc.assert(
      fc.property(rate, fc.integer({ min: 1, max: 50 }), fc.array(op, { maxLength: 200 }), (ratePerSec, burst, ops) => {
        let now = 0;
        let granted = 0;
        let earnable = 0; // tokens the configured rates could have added since the start
        let currentRate = ratePerSec;
        const bucket = new TokenBucket({ ratePerSec, burst, now: () => now });
        for (const o of ops) {
          if (o.kind === 'advance') {
            now += o.ms;
            earnable += (o.ms * currentRate) / 1000;
          } else if (o.kind === 'setRate') {
            bucket.setRate(o.ratePerSec);
            currentRate = o.ratePerSec;
          } else if (bucket.tryTake(o.n)) {
            granted += o.n;
          }
          expect(granted).toBeLessThanOrEqual(burst + earnable + TOLERANCE);
          expect(bucket.available).toBeLessThanOrEqual(burst);
          expect(bucket.available).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('msUntilAvailable(n) is 0 exactly when tryTake(n) succeeds', () => {
    fc.assert(
      fc.property(rate, fc.integer({ min: 1, max: 50 }), fc.array(op, { maxLength: 200 }), (ratePerSec, burst, ops) => {
        let now = 0;
        const bucket = new TokenBucket({ ratePerSec, burst, now: () => now });
        for (const o of ops) {
          if (o.kind === 'advance') now += o.ms;
          else if (o.kind === 'setRate') bucket.setRate(o.ratePerSec);
          else {
            const wait = bucket.msUntilAvailable(o.n);
            expect(wait === 0).toBe(bucket.tryTake(o.n));
          }
        }
      }),
    );
  });

  it('after waiting msUntilAvailable(n), tryTake(n) succeeds (for any n within the burst)', () => {
    fc.assert(
      fc.property(
        rate,
        fc.integer({ min: 1, max: 50 }),
        fc.array(op, { maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (ratePerSec, burst, ops, share) => {
          let now = 0;
          const bucket = new TokenBucket({ ratePerSec, burst, now: () => now });
          for (const o of ops) {
            if (o.kind === 'advance') now += o.ms;
            else if (o.kind === 'setRate') bucket.setRate(o.ratePerSec);
            else bucket.tryTake(o.n);
          }
          const n = share * burst;
          const wait = bucket.msUntilAvailable(n);
          expect(Number.isFinite(wait)).toBe(true);
          now += wait;
          expect(bucket.tryTake(n)).toBe(true);
        },
      ),
    );
  });

  it('a greedy taker gets the configured long-run rate: no more, and less only by a fraction of a token', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 1_000, noNaN: true }),
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 20_000 }),
        (ratePerSec, burst, durationMs) => {
          let now = 0;
          const bucket = new TokenBucket({ ratePerSec, burst, now: () => now });
          let granted = 0;
          for (; now <= durationMs; now += 1) {
            while (bucket.tryTake(1)) granted += 1;
          }
          const elapsed = durationMs; // the last takes happened at t = durationMs
          const earned = (elapsed * ratePerSec) / 1000;
          expect(granted).toBeLessThanOrEqual(burst + earned + TOLERANCE);
          // Taken every millisecond, the bucket never overflows (rate/1000 ≤ 1 ≤ burst − 1),
          // so only the fractional leftover (< 1 token) is not granted.
          expect(granted).toBeGreaterThan(burst + earned - 1 - TOLERANCE);
        },
      ),
      { numRuns: 50 },
    );
  });
});
