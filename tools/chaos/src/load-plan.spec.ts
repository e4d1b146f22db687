import { describe, expect, it } from 'vitest';
import { envelope, expectations, keyOf, planLoad } from './load-plan.js';

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
    expect(plan.filter((p) => p.poison && !p.dup).map((p) => p.id).sort()).toEqual(['p-0', 'p-1', 'p-2']);
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
