import { describe, expect, it } from 'vitest';
import type { LaneEntry, LaneLedger, TenantWaiting } from './lane-ledger.js';
import { slowLanePartition, TenantLanes } from './tenant-lanes.js';

/** The ledger's contract in memory (its Redis form has an integration test of its own). */
class MemoryLedger implements LaneLedger {
  readonly waiting = new Map<string, Map<string, number>>(); // tenant → member → parkedAt
  readonly keys = new Map<string, Map<string, string>>(); // tenant → entity key → member
  async waitingKeys(byTenant: ReadonlyMap<string, readonly string[]>) {
    const out = new Map<string, Set<string>>();
    for (const [tenant, keys] of byTenant) {
      const held = keys.filter((k) => this.keys.get(tenant)?.has(k));
      if (held.length > 0) out.set(tenant, new Set(held));
    }
    return out;
  }
  async park(entries: readonly LaneEntry[], at: number) {
    for (const e of entries) {
      const w = this.waiting.get(e.tenant) ?? new Map<string, number>();
      if (!w.has(e.member)) w.set(e.member, at);
      this.waiting.set(e.tenant, w);
      const k = this.keys.get(e.tenant) ?? new Map<string, string>();
      k.set(e.entityKey, e.member);
      this.keys.set(e.tenant, k);
    }
  }
  async release(entries: readonly LaneEntry[]) {
    for (const e of entries) {
      this.waiting.get(e.tenant)?.delete(e.member);
      if (this.keys.get(e.tenant)?.get(e.entityKey) === e.member) this.keys.get(e.tenant)!.delete(e.entityKey);
    }
  }
  async stats(tenants: readonly string[], now: number) {
    return new Map<string, TenantWaiting>(
      tenants.map((t) => {
        const at = [...(this.waiting.get(t)?.values() ?? [])];
        return [t, { waiting: at.length, oldestAgeSeconds: at.length ? (now - Math.min(...at)) / 1000 : null }];
      }),
    );
  }
}

const T0 = Date.UTC(2026, 11, 3, 9);
const SHIPPED = { ratePerSec: 500, burst: 1000 };

function lanes(clock = { ms: 0 }) {
  const ledger = new MemoryLedger();
  const l = new TenantLanes(
    new Map([
      ['acme', SHIPPED],
      ['globex', SHIPPED],
    ]),
    ledger,
    { now: () => T0 + clock.ms, monotonicNow: () => clock.ms },
  );
  return { l, ledger, clock };
}

describe('TenantLanes', () => {
  it('routes a catch-up backlog offered below the rate at once, parking nothing', async () => {
    const { l } = lanes();
    const backlog = Array.from({ length: 3000 }, (_, i) => ({
      tenant: 'acme',
      entityKey: `acme:customer:${i % 1000}`,
      timestampMs: T0 + Math.floor((i * 1000) / 300),
    }));
    const decisions = await l.admit(backlog);
    expect(decisions.every((d) => d.lane === 'fast')).toBe(true);
  });

  it('parks what a tenant offers above its rate, and the later revisions of a parked key with it', async () => {
    const { l } = lanes();
    const burst = Array.from({ length: 1200 }, (_, i) => ({ tenant: 'acme', entityKey: `acme:customer:${i}`, timestampMs: T0 }));
    // A minute later (the rate would admit them): a key parked in this round, and a key that was not.
    const after = [
      { tenant: 'acme', entityKey: 'acme:customer:1100', timestampMs: T0 + 60_000 },
      { tenant: 'acme', entityKey: 'acme:customer:1', timestampMs: T0 + 60_000 },
    ];
    const decisions = await l.admit([...burst, ...after]);
    expect(decisions.slice(0, 1200).filter((d) => d.lane === 'fast')).toHaveLength(1000);
    expect(decisions[1000]).toEqual({ lane: 'slow', reason: 'tenant-rate' });
    expect(decisions.slice(1200)).toEqual([{ lane: 'slow', reason: 'key-waiting' }, { lane: 'fast' }]);
  });

  it('keeps a key on the slow lane while the ledger says a record of it waits, and lets it go once released', async () => {
    const { l } = lanes();
    const entry = { tenant: 'acme', entityKey: 'acme:customer:7', member: 'm7' };
    await l.park([entry]);
    const later = { tenant: 'acme', entityKey: 'acme:customer:7', timestampMs: T0 };
    expect(await l.admit([later])).toEqual([{ lane: 'slow', reason: 'key-waiting' }]);
    // Another tenant's key of the same name is not held.
    expect(await l.admit([{ ...later, tenant: 'globex', entityKey: 'acme:customer:7' }])).toEqual([{ lane: 'fast' }]);
    await l.release([entry]);
    expect(await l.admit([later])).toEqual([{ lane: 'fast' }]);
  });

  it('releasing an older member leaves the key waiting for its newer one', async () => {
    const { l, ledger } = lanes();
    await l.park([{ tenant: 'acme', entityKey: 'k', member: 'r1' }]);
    await l.park([{ tenant: 'acme', entityKey: 'k', member: 'r2' }]);
    await l.release([{ tenant: 'acme', entityKey: 'k', member: 'r1' }]);
    expect(await l.admit([{ tenant: 'acme', entityKey: 'k', timestampMs: T0 }])).toEqual([{ lane: 'slow', reason: 'key-waiting' }]);
    expect(ledger.waiting.get('acme')?.size).toBe(1);
  });

  it('drains at the spare rate: what the fast lane took is not there for the slow lane', async () => {
    const { l, clock } = lanes();
    // The fast lane admits a full burst: the wall-clock bucket is spent.
    await l.admit(Array.from({ length: 1000 }, (_, i) => ({ tenant: 'acme', entityKey: `k${i}`, timestampMs: T0 })));
    expect(l.drainWaitMs('acme')).toBe(2);
    clock.ms += 2;
    expect(l.drainWaitMs('acme')).toBe(0);
    // A tenant that used nothing drains a burst at once, then at its rate.
    let now = 0;
    for (; now < 1000 && l.drainWaitMs('globex') === 0; now++);
    expect(now).toBe(1000);
  });

  it('counts what waits per tenant and the age of the oldest', async () => {
    const { l, clock } = lanes();
    await l.park([{ tenant: 'acme', entityKey: 'a', member: 'm1' }]);
    clock.ms += 30_000;
    await l.park([
      { tenant: 'acme', entityKey: 'b', member: 'm2' },
      { tenant: 'acme', entityKey: 'a', member: 'm1' },
    ]);
    const stats = await l.waiting();
    expect(stats.get('acme')).toEqual({ waiting: 2, oldestAgeSeconds: 30 });
    expect(stats.get('globex')).toEqual({ waiting: 0, oldestAgeSeconds: null });
  });

  it('puts all of a tenant on one slow-lane partition, spread across tenants', () => {
    expect(slowLanePartition('acme', 3)).toBe(slowLanePartition('acme', 3));
    const used = new Set(Array.from({ length: 30 }, (_, i) => slowLanePartition(`tenant-${i}`, 3)));
    expect(used).toEqual(new Set([0, 1, 2]));
    expect(slowLanePartition('acme', 0)).toBe(0);
  });

  describe('with its ledger (Redis) down', () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const brokenLedger = (): LaneLedger => ({
      waitingKeys: async () => Promise.reject(down),
      park: async () => Promise.reject(down),
      release: async () => Promise.reject(down),
      stats: async () => Promise.reject(down),
    });
    const offered = { tenant: 'acme', entityKey: 'acme:customer:1', timestampMs: T0 };
    const entry = { tenant: 'acme', entityKey: 'acme:customer:1', member: 'm' };

    it('fails closed by default: every call throws, so the router waits', async () => {
      const l = new TenantLanes(new Map([['acme', SHIPPED]]), brokenLedger());
      await expect(l.admit([offered])).rejects.toBe(down);
      await expect(l.park([entry])).rejects.toBe(down);
      await expect(l.release([entry])).rejects.toBe(down);
    });

    it('fails open on request: decides by the rate alone and says so', async () => {
      const seen: unknown[] = [];
      const l = new TenantLanes(new Map([['acme', SHIPPED]]), brokenLedger(), { whenLedgerDown: 'fail-open', onDegraded: (err) => void seen.push(err) });
      expect(await l.admit([offered])).toEqual([{ lane: 'fast' }]);
      await l.park([entry]);
      await l.release([entry]);
      expect(seen).toEqual([down, down, down]);
    });
  });
});
