// Per-tenant fairness without stranding anything. A tenant offered above its rate has the excess
// parked on the slow lane (the deferred topic), so it cannot starve the tenants sharing its
// partitions; the router drains the slow lane by itself, at the tenant's spare rate.
//
// - Admission (fast lane) judges the rate a record was *offered* at, from its timestamp, so a
//   backlog read fast after a restart, rebalance or outage is not mistaken for abuse.
// - A key with a record waiting on the slow lane parks its later records too, so revisions of a
//   key never overtake each other.
// - Draining spends the tenant's wall-clock bucket, which the fast lane spends first: the slow
//   lane gets what the tenant leaves unused, and waits (partition paused) when nothing is left.
import { OfferedRateLimit, TokenBucket } from '@ingest-mesh/backpressure';
import type { LaneEntry, LaneLedger, TenantWaiting } from './lane-ledger.js';

export interface TenantLimits {
  ratePerSec: number;
  burst: number;
}

/** Why a record went to the slow lane (header x-mesh-deferred-reason). */
export type ParkReason = 'tenant-rate' | 'key-waiting' | 'brownout';

export type LaneDecision = { lane: 'fast' } | { lane: 'slow'; reason: ParkReason };

export interface OfferedRecord {
  tenant: string;
  entityKey: string;
  /** The record's Kafka timestamp (epoch ms): when it was offered. */
  timestampMs: number;
}

export interface LaneOptions {
  now?: () => number;
  monotonicNow?: () => number;
  /**
   * Ledger (Redis) down: 'fail-closed' (default) throws, and the router's partition waits;
   * 'fail-open' goes on without marks (no key is known to wait, parks are not counted), as the
   * dedupe store does in that mode: order is then kept only by the sinks' revision guards.
   */
  whenLedgerDown?: 'fail-closed' | 'fail-open';
  onDegraded?: (err: unknown) => void;
}

interface Tenant {
  offered: OfferedRateLimit;
  spare: TokenBucket;
}

export class TenantLanes {
  private readonly tenants = new Map<string, Tenant>();
  private readonly now: () => number;

  private readonly failOpen: boolean;
  private readonly onDegraded: (err: unknown) => void;

  constructor(
    limits: ReadonlyMap<string, TenantLimits>,
    private readonly ledger: LaneLedger,
    opts: LaneOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.failOpen = opts.whenLedgerDown === 'fail-open';
    this.onDegraded = opts.onDegraded ?? (() => undefined);
    for (const [tenant, l] of limits) {
      this.tenants.set(tenant, {
        offered: new OfferedRateLimit({ ratePerSec: l.ratePerSec, burst: l.burst }),
        spare: new TokenBucket({ ratePerSec: l.ratePerSec, burst: l.burst, ...(opts.monotonicNow ? { now: opts.monotonicNow } : {}) }),
      });
    }
  }

  has(tenant: string): boolean {
    return this.tenants.has(tenant);
  }

  get names(): string[] {
    return [...this.tenants.keys()];
  }

  /**
   * Fast-lane decisions for a round's records, in order (one ledger round trip): slow when the
   * key already has a record waiting, or when the tenant's offered rate is over its limit.
   */
  async admit(records: readonly OfferedRecord[]): Promise<LaneDecision[]> {
    const keysByTenant = new Map<string, string[]>();
    for (const r of records) {
      const keys = keysByTenant.get(r.tenant) ?? [];
      keys.push(r.entityKey);
      keysByTenant.set(r.tenant, keys);
    }
    const asked = new Map([...keysByTenant].map(([t, keys]) => [t, [...new Set(keys)]]));
    const waiting = await this.ledger.waitingKeys(asked).catch((err: unknown) => this.degraded(err, new Map<string, Set<string>>()));
    return records.map((r) => {
      const tenant = this.tenants.get(r.tenant);
      if (!tenant) throw new RangeError(`tenant "${r.tenant}" has no lane (check has() first)`);
      const waitingKeys = waiting.get(r.tenant) ?? new Set<string>();
      waiting.set(r.tenant, waitingKeys);
      if (waitingKeys.has(r.entityKey)) return { lane: 'slow', reason: 'key-waiting' };
      if (!tenant.offered.tryAdmit(r.timestampMs)) {
        waitingKeys.add(r.entityKey); // later records of this key in the round follow it
        return { lane: 'slow', reason: 'tenant-rate' };
      }
      tenant.spare.tryTake(1); // what the fast lane uses is not spare for the slow lane
      return { lane: 'fast' };
    });
  }

  /** Slow lane: 0 when the tenant's next waiting record may go now (its token is taken), else ms to wait. */
  drainWaitMs(tenant: string): number {
    const t = this.tenants.get(tenant);
    if (!t) return 0;
    if (t.spare.tryTake(1)) return 0;
    return Math.max(1, t.spare.msUntilAvailable(1));
  }

  async park(entries: readonly LaneEntry[]): Promise<void> {
    await this.ledger.park(entries, this.now()).catch((err: unknown) => this.degraded(err, undefined));
  }

  async release(entries: readonly LaneEntry[]): Promise<void> {
    await this.ledger.release(entries).catch((err: unknown) => this.degraded(err, undefined));
  }

  private degraded<T>(err: unknown, fallback: T): T {
    if (!this.failOpen) throw err;
    this.onDegraded(err);
    return fallback;
  }

  waiting(): Promise<Map<string, TenantWaiting>> {
    return this.ledger.stats(this.names, this.now());
  }
}

/**
 * The slow-lane partition of a tenant: all its parked records share one, so they drain in the
 * order they were parked (revisions of a key stay in order) and one tenant waiting for its rate
 * holds up only the tenants hashed to the same partition.
 */
export function slowLanePartition(tenant: string, partitions: number): number {
  let hash = 0x811c9dc5; // FNV-1a, 32 bits
  for (const byte of Buffer.from(tenant, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % Math.max(1, partitions);
}
