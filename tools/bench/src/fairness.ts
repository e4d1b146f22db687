// The fairness phase's figures. Tenant A is offered five times its rate limit and tenant B half of
// its own, at the same time, on the same raw-topic partitions (keys hash over all of them): the
// router must park A's excess on its slow lane so that B's records are not held up behind A's.
// Measured: B's end-to-end p99 (produce → sink-postgres write) alone and with A, their ratio,
// and how long until every record of A has reached the sinks (none lost, none stranded). As a
// control, B's p99 also with the same volume as A's offered by tenants each within its rate (no
// parking): what the volume alone costs B on this machine, apart from A being over its rate.
import type { Row } from './report.js';
import type { Distribution } from './stats.js';

export interface FairnessResult {
  a: {
    tenant: string;
    ratePerSec: number;
    burst: number;
    offeredPerSec: number;
    offeredSec: number;
    records: number;
    /** Records of A parked on the slow lane (its topic, over the phase). */
    parked: number;
    /** The most of A's records the router reported waiting at once (/health/detailed). */
    maxWaiting: number;
    /** The most records the router had not yet read from the raw topic (A's and B's), while A was offered and drained. */
    maxRawLag: number;
    /** From A's first record offered until all of A's rows and documents were in the sinks; null if never. */
    allInSinksMs: number | null;
    rows: number;
    docs: number;
  };
  b: {
    tenant: string;
    ratePerSec: number;
    offeredPerSec: number;
    offeredSec: number;
    alone: Distribution;
    /** With the control load: A's volume from `control.tenants` tenants each below its rate. */
    withControl: Distribution;
    withA: Distribution;
    /** Records of B parked on the slow lane (must be 0: B is below its rate). */
    parked: number;
  };
  control: { tenants: number; perSec: number; records: number; parked: number };
}

/**
 * The seconds the slow lane needs for `parked` records at the tenant's rate (it drains at the
 * tenant's spare rate: once the tenant offers nothing more, its whole rate).
 */
export function laneDrainSec(parked: number, limit: { ratePerSec: number }): number {
  return parked / limit.ratePerSec;
}

export function fairnessRows(f: FairnessResult): Row[] {
  const ratio = f.b.alone.p99 > 0 ? f.b.withA.p99 / f.b.alone.p99 : Number.NaN;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const complete = f.a.rows === f.a.records && f.a.docs === f.a.records;
  return [
    {
      what: `fairness: B's end to end p99 alone (B offered ${n(f.b.offeredPerSec)}/s, ½ its rate)`,
      value: f.b.alone.p99,
      unit: 'ms',
      note: `p50 ${n(f.b.alone.p50)} ms, ${n(f.b.alone.count)} rows`,
    },
    {
      what: `fairness: B's end to end p99 with A offered ${n(f.a.offeredPerSec)}/s (${f.a.offeredPerSec / f.a.ratePerSec}× its rate) on the same partitions`,
      value: f.b.withA.p99,
      unit: 'ms',
      baseline: { name: 'B alone', value: f.b.alone.p99 },
      note: `p50 ${n(f.b.withA.p50)} ms, ${n(f.b.withA.count)} rows; B parked ${f.b.parked}; the router's raw backlog (A's and B's records not yet read) at most ${n(f.a.maxRawLag)}`,
    },
    {
      what: "fairness: B's p99 with A ÷ alone",
      value: ratio,
      unit: '×',
      target: { value: 2, atLeast: false },
      note: `with A ÷ with the same volume within limits (control): ${(f.b.withControl.p99 > 0 ? f.b.withA.p99 / f.b.withControl.p99 : Number.NaN).toFixed(2)}×`,
    },
    {
      what: `fairness (control): B's end to end p99 with A's volume from ${f.control.tenants} tenants within their rate`,
      value: f.b.withControl.p99,
      unit: 'ms',
      baseline: { name: 'B alone', value: f.b.alone.p99 },
      note: `p50 ${n(f.b.withControl.p50)} ms; ${n(f.control.records)} records at ${n(f.control.perSec)}/s (~${n(f.control.perSec / f.control.tenants)}/s each), ${n(f.control.parked)} parked: the cost of the volume alone`,
    },
    {
      what: "fairness: all of A's records in the sinks after",
      value: f.a.allInSinksMs === null ? Number.NaN : f.a.allInSinksMs / 1000,
      unit: 's',
      note: `${n(f.a.records)} records offered over ${f.a.offeredSec} s; ${n(f.a.parked)} parked on the slow lane (at most ${n(f.a.maxWaiting)} waiting at once); ${complete ? 'all' : 'NOT all —'} ${n(f.a.rows)} rows and ${n(f.a.docs)} documents of ${n(f.a.records)}; the slow lane's share at A's rate: parked ÷ ${n(f.a.ratePerSec)}/s = ${laneDrainSec(f.a.parked, f.a).toFixed(1)} s`,
    },
  ];
}
