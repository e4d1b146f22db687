import { describe, expect, it } from 'vitest';
import { distribution, peakPerKey, peakPerWindow, percentile, perSecond, ratio } from './stats.js';

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises unsorted values', () => {
    expect(distribution([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5 });
  });

  it('states rates per second and ratios to two decimals', () => {
    expect(perSecond(5000, 2000)).toBe(2500);
    expect(ratio(2500, 10000)).toBe(0.25);
    expect(ratio(1, 3)).toBe(0.33);
    expect(ratio(1, 0)).toBeNaN();
  });

  it('finds the most timestamps in any window, per key', () => {
    expect(peakPerWindow([], 2000)).toBe(0);
    expect(peakPerWindow([2000, 0, 1999, 1000, 5000], 2000)).toBe(3);
    expect(peakPerKey(['a', 'b', 'a', undefined, 'a'], [0, 0, 1500, 1600, 2500], 2000)).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });
});
