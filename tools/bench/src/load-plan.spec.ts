import { describe, expect, it } from 'vitest';
import { peakPerKey } from './stats.js';
import { backlogTimestamps, countKinds, planLoad, seeded, tenantsOf } from './load-plan.js';
import { tenantsBelowLimit } from './tenant-limits.js';

const base = { count: 10_000, size: 1024, tenants: 4, dupPct: 5, badPct: 1, seed: 42, run: 'r1', idPrefix: 'c' };

describe('planLoad', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(planLoad(base)).toEqual(planLoad(base));
    expect(planLoad({ ...base, seed: 43 })).not.toEqual(planLoad(base));
  });

  it('mixes good, duplicate and bad records in the asked proportions', () => {
    const counts = countKinds(planLoad(base));
    expect(counts.good + counts.dup + counts.bad).toBe(10_000);
    expect(counts.dup).toBeGreaterThan(400);
    expect(counts.dup).toBeLessThan(600);
    expect(counts.bad).toBeGreaterThan(50);
    expect(counts.bad).toBeLessThan(150);
  });

  it('duplicates only earlier good records, spreads tenants and pads names to the size', () => {
    const plan = planLoad(base);
    const tenants = new Set<string>();
    plan.forEach((p, i) => {
      if (p.kind === 'dup') {
        expect(p.of).toBeLessThan(i);
        expect(plan[p.of]!.kind).toBe('good');
      }
      if (p.kind === 'good') {
        tenants.add(p.tenant);
        expect(p.name.length).toBe(1024 - 160 + `Customer ${i} `.length);
      }
    });
    expect([...tenants].sort()).toEqual(['bench-r1-t0', 'bench-r1-t1', 'bench-r1-t2', 'bench-r1-t3']);
  });

  it('has no duplicates or bad records at 0 %', () => {
    expect(countKinds(planLoad({ ...base, dupPct: 0, badPct: 0 }))).toEqual({ good: 10_000, dup: 0, bad: 0 });
  });

  it('draws uniformly', () => {
    const random = seeded(1);
    const draws = Array.from({ length: 10_000 }, random);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it('stamps a backlog so that each tenant was offered within its limit (the shipped 500/s, burst 1,000)', () => {
    const plan = planLoad({ ...base, count: 40_000 });
    const stamps = backlogTimestamps(plan.length, 4 * 500 * 0.8, 1_000_000);
    expect(stamps.at(-1)).toBe(1_000_000);
    expect(stamps[0]).toBe(1_000_000 - Math.round((39_999 * 1000) / 1600));
    const peaks = peakPerKey(tenantsOf(plan), stamps, 2000);
    expect(peaks.size).toBe(4);
    for (const peak of peaks.values()) expect(peak).toBeLessThanOrEqual(1000);
    // Offered as fast as it can be produced instead, each tenant would be far above its rate.
    const fast = peakPerKey(tenantsOf(plan), backlogTimestamps(plan.length, 20_000, 1_000_000), 2000);
    for (const peak of fast.values()) expect(peak).toBeGreaterThan(5000);
  });

  it('spreads a steady rate over enough tenants that each stays below its limit', () => {
    expect(tenantsBelowLimit(5000, { ratePerSec: 500, burst: 1000 })).toBe(13);
    expect(tenantsBelowLimit(2500, { ratePerSec: 500, burst: 1000 })).toBe(7);
    expect(tenantsBelowLimit(100, { ratePerSec: 500, burst: 1000 })).toBe(1);
  });

  it("knows the tenant of every record: a duplicate its original's, a bad record none", () => {
    const plan = planLoad(base);
    const tenants = tenantsOf(plan);
    plan.forEach((p, i) => {
      if (p.kind === 'good') expect(tenants[i]).toBe(p.tenant);
      if (p.kind === 'dup') expect(tenants[i]).toBe(tenants[p.of]);
      if (p.kind === 'bad') expect(tenants[i]).toBeUndefined();
    });
  });
});
