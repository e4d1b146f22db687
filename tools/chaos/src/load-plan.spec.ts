import { describe, expect, it } from 'vitest';
import { envelope, expectations, keyOf, paceLoad, peakPerWindow, planBurst, planLoad } from './load-plan.js';

const options = { seed: 9, ids: 40, revisions: 3, tenants: 2, dupPct: 10, poison: 3 };

describe('planLoad', () => {
  it('sends every id at every revision, in revision order per id', () => {
    const plan = planLoad(options);
    const good = plan.filter((p) => !p.dup && !p.poison);
    expect(good).toHaveLength(120);
    const last = new Map<string, number>();
    for (const p of plan.filter((q) => !q.dup)) {
      const k = keyOf(p.tenant, p.id);
      expect(p.revision).toBeGreaterThan(last.get(k) ?? 0);
      last.set(k, p.revision);
    }
  });

  it('adds duplicates that copy an earlier record, and exactly the poison ids asked for', () => {
    const plan = planLoad(options);
    const dups = plan.filter((p) => p.dup);
    expect(dups.length).toBeGreaterThan(0);
    for (const d of dups) {
      const i = plan.indexOf(d);
      expect(plan.slice(0, i).some((p) => !p.dup && p.id === d.id && p.revision === d.revision && p.tenant === d.tenant)).toBe(true);
    }
    expect(
      plan
        .filter((p) => p.poison && !p.dup)
        .map((p) => p.id)
        .sort(),
    ).toEqual(['p-0', 'p-1', 'p-2']);
  });

  it('is a function of the seed', () => {
    expect(planLoad(options)).toEqual(planLoad(options));
    expect(planLoad({ ...options, seed: 10 })).not.toEqual(planLoad(options));
  });

  it('expects each identity at its highest revision', () => {
    const e = expectations(planLoad(options));
    expect(e.get(keyOf('chaos-t0', 'c-0'))).toEqual({ latest: 3, poison: false });
    expect(e.get(keyOf('chaos-t0', 'p-0'))).toEqual({ latest: 1, poison: true });
    expect(e.size).toBe(43);
  });

  it('writes JSON envelopes keyed tenant:customer:id whose occurredAt grows with the revision; poison has a bad email', () => {
    const r1 = envelope({ tenant: 'chaos-t1', id: 'c-1', revision: 1, dup: false, poison: false }, 0);
    const r2 = envelope({ tenant: 'chaos-t1', id: 'c-1', revision: 2, dup: false, poison: false }, 0);
    expect(r1.key).toBe('chaos-t1:customer:c-1');
    const [v1, v2] = [JSON.parse(r1.value), JSON.parse(r2.value)];
    expect(Date.parse(v2.occurredAt)).toBeGreaterThan(Date.parse(v1.occurredAt));
    expect(v1.payload.email).toBe('c-1@example.com');
    expect(JSON.parse(envelope({ tenant: 't', id: 'p-0', revision: 1, dup: false, poison: true }, 0).value).payload.email).toBe('not-an-email');
  });
});

describe('the burst and the pace', () => {
  it('plans the burst as fresh ids of one tenant, every id at revision 1 before any at revision 2', () => {
    const burst = planBurst({ tenant: 'chaos-t0', records: 3000, revisions: 2 });
    expect(burst).toHaveLength(3000);
    expect(new Set(burst.map((p) => p.tenant))).toEqual(new Set(['chaos-t0']));
    expect(burst.every((p) => p.burst && !p.dup && !p.poison && p.id.startsWith('b-'))).toBe(true);
    expect(burst.slice(0, 1500).every((p) => p.revision === 1)).toBe(true);
    expect(burst.slice(1500).every((p) => p.revision === 2)).toBe(true);
    expect(expectations(burst).get(keyOf('chaos-t0', 'b-1499'))).toEqual({ latest: 2, poison: false });
    expect(planBurst({ tenant: 't', records: 5, revisions: 2 }).map((p) => `${p.id}@${p.revision}`)).toEqual(['b-0@1', 'b-1@1', 'b-2@1', 'b-0@2', 'b-1@2']);
  });

  it('paces the steady load over the duration and the burst at its rate from its start, each in its own order', () => {
    const steady = planLoad({ ...options, dupPct: 0, poison: 0 }); // 120 records
    const burst = planBurst({ tenant: 'chaos-t0', records: 100, revisions: 2 });
    const paced = paceLoad(steady, 12_000, { records: burst, atMs: 3_000, ratePerSec: 200 });
    expect(paced).toHaveLength(220);
    expect(paced.map((p) => p.dueMs)).toEqual([...paced.map((p) => p.dueMs)].sort((a, b) => a - b));
    expect(paced.filter((p) => !p.planned.burst).map((p) => p.planned)).toEqual(steady);
    expect(paced.filter((p) => p.planned.burst).map((p) => p.planned)).toEqual(burst);
    const burstDue = paced.filter((p) => p.planned.burst).map((p) => p.dueMs);
    expect(burstDue[0]).toBe(3_000);
    expect(burstDue.at(-1)).toBeCloseTo(3_000 + (99 * 1000) / 200);
    // Within the burst's half second, the steady load goes on around it.
    expect(paced.filter((p) => !p.planned.burst && p.dueMs >= 3_000 && p.dueMs < 3_500)).toHaveLength(5);
    expect(paceLoad(steady, 12_000).map((p) => p.planned)).toEqual(steady);
  });

  it('finds the most timestamps in any window, in any order', () => {
    expect(peakPerWindow([], 2000)).toBe(0);
    expect(peakPerWindow([5], 2000)).toBe(1);
    // 0, 1000, 1999 in one window [0, 2000); 2000 starts the next.
    expect(peakPerWindow([2000, 0, 1999, 1000, 5000], 2000)).toBe(3);
    const steady = Array.from({ length: 100 }, (_, i) => i * 100); // 10/s
    expect(peakPerWindow(steady, 2000)).toBe(20);
    expect(peakPerWindow([...steady, ...Array.from({ length: 50 }, () => 4321)], 2000)).toBe(70);
  });
});
