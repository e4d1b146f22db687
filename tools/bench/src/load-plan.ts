// What the load generator sends, decided up front from a seed so a run can be repeated: per
// record its tenant, id, revision and kind — good, a duplicate of an earlier good record (same
// identity, same revision: the router must skip it), or bad (bytes that are no envelope: the
// router must dead-letter it as INVALID_PAYLOAD).
import { seeded } from '@ingest-mesh/testing';

export interface LoadOptions {
  count: number;
  /** Bytes per record, roughly (the customer's name is padded to reach it). */
  size: number;
  tenants: number;
  /** Percent of records that repeat an earlier good record. */
  dupPct: number;
  /** Percent of records that are not envelopes. */
  badPct: number;
  seed: number;
  /** Distinguishes this run's tenants and ids. */
  run: string;
  /** Prefix of the ids (phases of one run use their own). */
  idPrefix: string;
}

export type Planned =
  { kind: 'good'; tenant: string; id: string; revision: number; name: string } | { kind: 'dup'; of: number } | { kind: 'bad'; bytes: number };

/** The seedable PRNG (mulberry32), shared with tools/chaos through the test harness. */
export { seeded };

export const tenantName = (run: string, n: number) => `bench-${run}-t${n}`;

/** Around this many bytes of a record are not the name (envelope and other fields). */
const FIXED_BYTES = 160;

/** A customer's name padded so that its record is about `size` bytes. */
export function paddedName(i: number, size: number): string {
  return `Customer ${i} ${'x'.repeat(Math.max(1, size - FIXED_BYTES))}`;
}

export function planLoad(o: LoadOptions): Planned[] {
  const random = seeded(o.seed);
  const plan: Planned[] = [];
  const good: number[] = [];
  for (let i = 0; i < o.count; i++) {
    const roll = random() * 100;
    if (roll < o.badPct) plan.push({ kind: 'bad', bytes: Math.max(8, Math.min(o.size, 64)) });
    else if (roll < o.badPct + o.dupPct && good.length > 0) plan.push({ kind: 'dup', of: good[Math.floor(random() * good.length)]! });
    else {
      good.push(i);
      plan.push({
        kind: 'good',
        tenant: tenantName(o.run, Math.floor(random() * o.tenants)),
        id: `${o.idPrefix}${i}`,
        revision: 1,
        name: paddedName(i, o.size),
      });
    }
  }
  return plan;
}

export function countKinds(plan: readonly Planned[]): Record<Planned['kind'], number> {
  const counts = { good: 0, dup: 0, bad: 0 };
  for (const p of plan) counts[p.kind] += 1;
  return counts;
}

/**
 * Kafka timestamps for a backlog: records offered before the router starts, at `totalPerSec`
 * evenly (the last at `endMs`), so each of the load's tenants (drawn uniformly) was offered at
 * its share of that rate. The router judges a tenant's rate by these timestamps, so draining
 * such a backlog as fast as it can parks nothing (a catch-up, not a tenant over its rate).
 */
export function backlogTimestamps(count: number, totalPerSec: number, endMs: number): number[] {
  return Array.from({ length: count }, (_, i) => endMs - Math.round(((count - 1 - i) * 1000) / totalPerSec));
}

/** The tenant of each record of the plan (a duplicate: its original's; bad records: none). */
export function tenantsOf(plan: readonly Planned[]): (string | undefined)[] {
  return plan.map((p) => {
    if (p.kind === 'good') return p.tenant;
    if (p.kind === 'dup') {
      const of = plan[p.of];
      return of?.kind === 'good' ? of.tenant : undefined;
    }
    return undefined;
  });
}

/** The throughput phases' backlog of a run: --records records of the options' size, tenants and mix. */
export function backlogPlan(o: Pick<LoadOptions, 'size' | 'tenants' | 'dupPct' | 'badPct' | 'seed'> & { records: number }, run: string): Planned[] {
  return planLoad({ count: o.records, size: o.size, tenants: o.tenants, dupPct: o.dupPct, badPct: o.badPct, seed: o.seed, run, idPrefix: 'c' });
}
