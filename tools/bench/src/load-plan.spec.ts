import { describe, expect, it } from 'vitest';
import { countKinds, planLoad, seeded } from './load-plan.js';

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
});
