import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OfferedRateLimit } from './offered-rate-limit.js';

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

/** `count` timestamps spread evenly at `perSec` records per second from `start`. */
function offered(count: number, perSec: number, start = T0): number[] {
  return Array.from({ length: count }, (_, i) => start + Math.floor((i * 1000) / perSec));
}

describe('OfferedRateLimit', () => {
  it('admits a tenant offering below its rate, however fast its records are read', () => {
    const limit = new OfferedRateLimit({ ratePerSec: 500, burst: 1000 });
    // 20 s of records offered at 300/s, all read in one go (a catch-up after a restart).
    const admitted = offered(6000, 300).filter((ts) => limit.tryAdmit(ts)).length;
    expect(admitted).toBe(6000);
  });

  it('admits the rate of a tenant offering five times its rate, and no more', () => {
    const limit = new OfferedRateLimit({ ratePerSec: 500, burst: 1000 });
    const admitted = offered(25_000, 2500).filter((ts) => limit.tryAdmit(ts)).length; // 10 s
    // 10 s of record time at 500/s, plus at most one burst at the edges.
    expect(admitted).toBeGreaterThanOrEqual(5000);
    expect(admitted).toBeLessThanOrEqual(5000 + 1000);
  });

  it('admits one burst at once, then nothing more in the same window', () => {
    const limit = new OfferedRateLimit({ ratePerSec: 500, burst: 1000 });
    const sameMoment = Array.from({ length: 1500 }, () => T0);
    expect(sameMoment.filter((ts) => limit.tryAdmit(ts)).length).toBe(1000);
    expect(limit.admittedInWindowEndingAt(T0)).toBe(1000);
    // A full window later the tenant may burst again.
    expect(limit.tryAdmit(T0 + 2000)).toBe(true);
  });

  it('gives the same answer for records read out of order (partitions at different positions)', () => {
    const inOrder = new OfferedRateLimit({ ratePerSec: 500, burst: 1000 });
    const interleaved = new OfferedRateLimit({ ratePerSec: 500, burst: 1000 });
    const ts = offered(9000, 300);
    // Three partitions: one read to the end first, the others after it.
    const p = [ts.filter((_, i) => i % 3 === 0), ts.filter((_, i) => i % 3 === 1), ts.filter((_, i) => i % 3 === 2)];
    expect(ts.filter((t) => inOrder.tryAdmit(t)).length).toBe(9000);
    expect([...p[0]!, ...p[1]!, ...p[2]!].filter((t) => interleaved.tryAdmit(t)).length).toBe(9000);
  });

  it('admits records without a usable timestamp, uncounted', () => {
    const limit = new OfferedRateLimit({ ratePerSec: 1, burst: 1 });
    expect(limit.tryAdmit(T0)).toBe(true);
    expect(limit.tryAdmit(T0)).toBe(false);
    expect(limit.tryAdmit(Number.NaN)).toBe(true);
  });

  it('keeps a bounded number of bins', () => {
    const limit = new OfferedRateLimit({ ratePerSec: 1, burst: 1, maxBins: 16 });
    for (let s = 0; s < 1000; s++) expect(limit.tryAdmit(T0 + s * 1000)).toBe(true);
    // Old bins are forgotten: the earliest second counts from zero again.
    expect(limit.tryAdmit(T0)).toBe(true);
  });

  it('rejects bad options with the option name', () => {
    expect(() => new OfferedRateLimit({ ratePerSec: 0, burst: 1 })).toThrow(/ratePerSec/);
    expect(() => new OfferedRateLimit({ ratePerSec: 1, burst: Number.NaN })).toThrow(/burst/);
    expect(() => new OfferedRateLimit({ ratePerSec: 1, burst: 1, binsPerWindow: 0 })).toThrow(/binsPerWindow/);
  });

  it('never lets any window of bins hold more than the burst, in any order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 80 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 400 }),
        (ratePerSec, burst, offsets) => {
          const limit = new OfferedRateLimit({ ratePerSec, burst });
          const binMs = ((burst / ratePerSec) * 1000) / 4;
          const admitted = offsets.filter((o) => limit.tryAdmit(T0 + o));
          const perBin = new Map<number, number>();
          for (const o of admitted) {
            const bin = Math.floor((T0 + o) / binMs);
            perBin.set(bin, (perBin.get(bin) ?? 0) + 1);
          }
          for (const bin of perBin.keys()) {
            for (let start = bin - 3; start <= bin; start++) {
              let sum = 0;
              for (let b = start; b < start + 4; b++) sum += perBin.get(b) ?? 0;
              expect(sum).toBeLessThanOrEqual(burst);
            }
          }
        },
      ),
    );
  });

  it('admits everything when no window is offered more than the burst, in any order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 5 }), (seed, parts) => {
        const ts = offered(2000, 400, T0 + seed);
        const limit = new OfferedRateLimit({ ratePerSec: 500, burst: 1000 });
        const order = Array.from({ length: parts }, (_, p) => ts.filter((_, i) => i % parts === p))
          .reverse()
          .flat();
        expect(order.filter((t) => limit.tryAdmit(t)).length).toBe(ts.length);
      }),
    );
  });
});
