// The load, a pure function of the seed: `ids` customers × `revisions` revisions, revision r of
// every id before revision r+1 of any (so a partition never sees an older revision after a newer
// one), shuffled within a round; plus deliberate duplicates (byte-for-byte copies of a recent
// record: the router must skip them) and poison records (an email the router's rules refuse:
// they must end in dlq.ingest-router as VALIDATION_FAIL, never silently vanish).
// On top of that steady load, one tenant gets a burst at several times its rate limit (planBurst,
// paceLoad): the router must park the excess on its slow lane and route it later, in order.
import { seeded, shuffle } from './random.js';

export interface LoadOptions {
  seed: number;
  ids: number;
  revisions: number;
  tenants: number;
  /** Percent of extra records that repeat one of the last 50 sent. */
  dupPct: number;
  /** Poison ids, one record each, spread over the load. */
  poison: number;
}

export interface Planned {
  tenant: string;
  id: string;
  revision: number;
  /** A copy of an earlier record. */
  dup: boolean;
  /** Refused by the router's rules: expected in the DLQ. */
  poison: boolean;
  /** Part of the over-rate burst (planBurst). */
  burst?: true;
}

export const tenantName = (n: number) => `chaos-t${n}`;

export function planLoad(o: LoadOptions): Planned[] {
  const random = seeded(o.seed ^ 0x5eed);
  const tenantOf = (n: number) => tenantName(n % o.tenants);
  const plan: Planned[] = [];
  const poisonAt = new Set(Array.from({ length: o.poison }, () => Math.floor(random() * o.ids * o.revisions)));
  let poisoned = 0;
  for (let revision = 1; revision <= o.revisions; revision++) {
    for (const n of shuffle(
      random,
      Array.from({ length: o.ids }, (_, i) => i),
    )) {
      plan.push({ tenant: tenantOf(n), id: `c-${n}`, revision, dup: false, poison: false });
      if (poisonAt.has(plan.length) && poisoned < o.poison) {
        plan.push({ tenant: tenantOf(poisoned), id: `p-${poisoned++}`, revision: 1, dup: false, poison: true });
      }
      if (random() * 100 < o.dupPct) {
        const recent = plan.slice(-50).filter((p) => !p.dup);
        plan.push({ ...recent[Math.floor(random() * recent.length)]!, dup: true });
      }
    }
  }
  // Set collisions can leave fewer poison ids than asked: add the rest at the end.
  while (poisoned < o.poison) plan.push({ tenant: tenantOf(poisoned), id: `p-${poisoned++}`, revision: 1, dup: false, poison: true });
  return plan;
}

export interface BurstOptions {
  tenant: string;
  records: number;
  revisions: number;
}

/**
 * The burst: `records` records of fresh ids b-0, b-1, … of one tenant, all ids at revision 1,
 * then all at 2, … — so once the tenant's limit bites, later revisions of a key whose earlier
 * one is waiting on the slow lane must wait behind it (key-waiting).
 */
export function planBurst(o: BurstOptions): Planned[] {
  const ids = Math.ceil(o.records / o.revisions);
  const plan: Planned[] = [];
  for (let revision = 1; revision <= o.revisions; revision++) {
    for (let n = 0; n < ids && plan.length < o.records; n++) plan.push({ tenant: o.tenant, id: `b-${n}`, revision, dup: false, poison: false, burst: true });
  }
  return plan;
}

/** How big and how fast the burst is, from the limits of the tenant it is offered to. */
export const BURST_SHAPE = {
  /** Records, as a multiple of the tenant's burst (3 × 1,000 with the shipped limits). */
  timesBurst: 3,
  /** Offered rate, as a multiple of the tenant's ratePerSec (4 × 500/s = 2,000/s, 1.5 s). */
  timesRate: 4,
  /** When, as a fraction of the load's duration: early enough that the slow lane drains within the load. */
  atFraction: 0.35,
} as const;

export interface Paced {
  planned: Planned;
  /** Milliseconds after the start of the load when it is due to be sent. */
  dueMs: number;
}

/**
 * The send schedule: the steady load evenly over `loadMs`, the burst (if any) from `atMs` at
 * `ratePerSec`, merged by due time (steady first on a tie). Each part keeps its own order, so a
 * key's revisions stay in order.
 */
export function paceLoad(steady: readonly Planned[], loadMs: number, burst?: { records: readonly Planned[]; atMs: number; ratePerSec: number }): Paced[] {
  const paced: Paced[] = steady.map((planned, i) => ({ planned, dueMs: (i / steady.length) * loadMs }));
  if (burst) paced.push(...burst.records.map((planned, j) => ({ planned, dueMs: burst.atMs + (j * 1000) / burst.ratePerSec })));
  return paced
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.dueMs - b.p.dueMs || a.i - b.i)
    .map(({ p }) => p);
}

export { peakPerWindow } from '@ingest-mesh/testing';

export const keyOf = (tenant: string, id: string) => `${tenant}:customer:${id}`;

/** Per identity (the Kafka key) what must be true at the end: its latest revision, or the DLQ. */
export function expectations(plan: readonly Planned[]): Map<string, { latest: number; poison: boolean }> {
  const out = new Map<string, { latest: number; poison: boolean }>();
  for (const p of plan) {
    const k = keyOf(p.tenant, p.id);
    const prev = out.get(k);
    out.set(k, { latest: Math.max(prev?.latest ?? 0, p.revision), poison: p.poison });
  }
  return out;
}

/** A record as the router reads it: a JSON envelope. occurredAt grows with the revision (history valid_from). */
export function envelope(p: Planned, baseMs: number): { key: string; value: string } {
  const at = new Date(baseMs + p.revision * 60_000).toISOString();
  const email = p.poison ? 'not-an-email' : `${p.id}@example.com`;
  return {
    key: keyOf(p.tenant, p.id),
    value: JSON.stringify({
      tenant: p.tenant,
      source: 'chaos',
      entityType: 'customer',
      id: p.id,
      revision: p.revision,
      occurredAt: at,
      payload: { id: p.id, name: `Customer ${p.id} r${p.revision}`, email, tier: 'pro', country: 'DE', createdAt: new Date(baseMs).toISOString() },
    }),
  };
}
