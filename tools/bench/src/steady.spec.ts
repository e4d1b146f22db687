import { describe, expect, it } from 'vitest';
import { highestRateUnder, steadyRows, sweepAbove, type SteadyResult } from './steady.js';

const result = (rate: number, p99: number): SteadyResult => ({
  rate,
  durationSec: 20,
  achieved: rate,
  tenants: Math.ceil(rate / 400),
  parked: 0,
  lat: { count: rate * 20, p50: p99 / 3, p95: p99 / 1.5, p99, max: p99 * 1.2 },
});

describe('sweepAbove', () => {
  it('keeps the rates above --rate, ascending, each once', () => {
    expect(sweepAbove(2500, [10_000, 5000, 2500, 1000, 5000, 7500])).toEqual([5000, 7500, 10_000]);
    expect(sweepAbove(2500, [])).toEqual([]);
  });
});

describe('highestRateUnder', () => {
  it('is the highest rate whose p99 stayed under the limit', () => {
    expect(highestRateUnder([result(2500, 240), result(5000, 610), result(7500, 1400)])).toBe(5000);
  });
  it('is undefined when no rate stayed under it', () => {
    expect(highestRateUnder([result(2500, 1200)])).toBeUndefined();
  });
  it('is exclusive: a p99 of exactly the limit is not under it', () => {
    expect(highestRateUnder([result(2500, 999), result(5000, 1000)])).toBe(2500);
  });
});

describe('steadyRows', () => {
  it('reports --rate against the 300 ms target, each sweep rate, and the highest rate under a second', () => {
    const rows = steadyRows([result(2500, 240), result(5000, 610), result(7500, 1400)], 500);
    expect(rows.map((r) => [r.what, r.value, r.target])).toEqual([
      ['end to end p50 at 2500/s (produce → sink-postgres write)', 80, undefined],
      ['end to end p95 at 2500/s', 160, undefined],
      ['end to end p99 at 2500/s', 240, { value: 300, atLeast: false }],
      ['end to end p99 at 5000/s (p50 203 ms)', 610, undefined],
      ['end to end p99 at 7500/s (p50 467 ms)', 1400, undefined],
      ['highest offered rate with p99 < 1000 ms (of 2500, 5000, 7500/s)', 5000, undefined],
    ]);
    expect(rows[0]!.note).toBe(
      '2500 records/s offered for 20 s (JSON envelopes stamped at send) over 7 tenants (~357/s each, limit 500/s): 0 parked; 50000 rows',
    );
    expect(rows.at(-1)!.note).toBeUndefined();
  });
  it('says so when even the highest rate tried stayed under a second', () => {
    const rows = steadyRows([result(2500, 240), result(5000, 610)], 500);
    expect(rows.at(-1)).toMatchObject({ value: 5000, note: 'every rate tried stayed under: a higher --sweep rate finds the limit' });
  });
});
