// The verdict, a pure function of what was sent and what the stores hold at the end:
//   applied       identities at their latest revision in all three places — the upsert table,
//                 the history table (as its current version) and the index (_version, the
//                 sink's external version, = revision);
//   dead-lettered DLQ records (every one must carry x-mesh-reason; one without is "unexplained");
//   waiting       identities not applied everywhere because a record of theirs is still on the
//                 router's slow lane (parked, not yet routed): not yet applied, not lost;
//   lost          identities not applied everywhere and with no DLQ record or waiting record
//                 explaining them;
//   doubled       a version applied twice: a (key, revision) twice in the history table, an
//                 identity indexed as more than one document, or more than one current version;
//   history gaps  versions missing from the history table (every revision was sent, so history
//                 must have all of them unless the identity is in the DLQ), or a broken chain
//                 (valid_to of a version ≠ valid_from of the next);
//   deduplicated  copies that reached the raw topic beyond the distinct records (deliberate
//                 duplicates and producer retries), absorbed by the router's dedupe or a sink's
//                 revision guard;
//   parked        records the router parked on its slow lane, by tenant and reason;
//   rate limits   a tenant never offered above its rate (at most `burst` records in any window
//                 of burst / ratePerSec seconds, judged by the records' timestamps as the router
//                 does) must have nothing parked for its rate, and a tenant offered at twice its
//                 burst or more must have had its excess parked: the limit must bite.

export interface HistoryRow {
  key: string;
  revision: number;
  validFrom: number;
  validTo: number | null;
  isCurrent: boolean;
}

export interface DlqRecord {
  topic: string;
  key: string;
  reason: string | undefined;
}

/** A record on the router's slow lane topic. */
export interface ParkedRecord {
  key: string;
  /** Its revision, null when it could not be read. */
  revision: number | null;
  /** x-mesh-deferred-reason: tenant-rate, key-waiting, brownout. */
  reason: string | undefined;
  /** Not yet routed for good: at or past the router group's committed offset. */
  waiting: boolean;
}

export interface SlowLaneObserved {
  /** Every record the router parked during the run. */
  parked: ParkedRecord[];
  /** The router's own count of waiting records per tenant (/health/detailed), null if it did not answer. */
  reported: Record<string, number> | null;
  /** Per tenant: its limits and the most records it was offered in one window of burst / ratePerSec seconds. */
  tenants: Record<string, { ratePerSec: number; burst: number; peakOffered: number }>;
}

export interface Observed {
  /** Records acknowledged by Kafka to the producer. */
  sent: number;
  /** Records in the raw topic (end offsets: acknowledged sends plus retried copies). */
  rawRecords: number;
  expected: Map<string, { latest: number; poison: boolean }>;
  /** Distinct (key, revision) records planned. */
  distinct: number;
  upsert: Map<string, number>;
  history: HistoryRow[];
  /** Every document of the index: its key and _version. */
  index: { key: string; version: number }[];
  dlq: DlqRecord[];
  slowLane: SlowLaneObserved;
}

export interface LostIdentity {
  key: string;
  latest: number;
  upsert: number | null;
  history: number | null;
  index: number | null;
}

export interface Summary {
  sent: number;
  ids: number;
  applied: number;
  deduplicated: number;
  deadLettered: number;
  /** Records the router parked on its slow lane. */
  parked: number;
  parkedByTenant: Record<string, Record<string, number>>;
  /** Identities not yet applied because a record of theirs still waits on the slow lane. */
  waiting: number;
  /** Records still on the slow lane (past the router's committed offset). */
  waitingRecords: number;
  /** The router's own count of them (/health/detailed), null if it did not answer. */
  reportedWaiting: number | null;
  lost: number;
  doubled: number;
  historyGaps: number;
  unexplainedDlq: number;
  dlqReasons: Record<string, number>;
  lostIdentities: LostIdentity[];
  waitingIdentities: LostIdentity[];
  /** A tenant's limit that did not hold: parked below its rate, or nothing parked far above it. */
  rateFindings: string[];
  /** Per tenant, for the table: its peak offered, its burst and what was parked for its rate. */
  rateNotes: string[];
  doubledDetails: string[];
  gapDetails: string[];
  ok: boolean;
}

export function reconcile(o: Observed): Summary {
  const historyByKey = new Map<string, HistoryRow[]>();
  for (const row of o.history) historyByKey.set(row.key, [...(historyByKey.get(row.key) ?? []), row]);
  const indexByKey = new Map<string, number[]>();
  for (const doc of o.index) indexByKey.set(doc.key, [...(indexByKey.get(doc.key) ?? []), doc.version]);
  const dlqKeys = new Set(o.dlq.filter((d) => d.reason !== undefined).map((d) => d.key));
  const dlqReasons: Record<string, number> = {};
  for (const d of o.dlq) dlqReasons[d.reason ?? '(no reason)'] = (dlqReasons[d.reason ?? '(no reason)'] ?? 0) + 1;
  // The lowest revision of each key still waiting on the slow lane (-Infinity: unknown revision).
  const waitingFrom = new Map<string, number>();
  for (const p of o.slowLane.parked.filter((r) => r.waiting)) waitingFrom.set(p.key, Math.min(waitingFrom.get(p.key) ?? Infinity, p.revision ?? -Infinity));

  const doubledDetails: string[] = [];
  const gapDetails: string[] = [];
  for (const [key, rows] of historyByKey) {
    const seen = new Map<number, number>();
    for (const r of rows) seen.set(r.revision, (seen.get(r.revision) ?? 0) + 1);
    for (const [revision, n] of seen) if (n > 1) doubledDetails.push(`${key} revision ${revision} is ${n} times in the history table`);
    const current = rows.filter((r) => r.isCurrent).length;
    if (current > 1) doubledDetails.push(`${key} has ${current} current versions in the history table`);
    const sorted = [...rows].sort((a, b) => a.revision - b.revision);
    sorted.forEach((r, i) => {
      const next = sorted[i + 1];
      if (next !== undefined && next.revision !== r.revision && r.validTo !== next.validFrom)
        gapDetails.push(`${key} revision ${r.revision}: valid_to ≠ valid_from of revision ${next.revision}`);
    });
  }
  for (const [key, versions] of indexByKey) if (versions.length > 1) doubledDetails.push(`${key} is indexed ${versions.length} times`);

  let applied = 0;
  const lostIdentities: LostIdentity[] = [];
  const waitingIdentities: LostIdentity[] = [];
  for (const [key, want] of o.expected) {
    const rows = historyByKey.get(key) ?? [];
    const upsert = o.upsert.get(key) ?? null;
    const history = rows.find((r) => r.isCurrent)?.revision ?? null;
    const versions = indexByKey.get(key) ?? [];
    const index = versions.length > 0 ? Math.max(...versions) : null;
    const everywhere = upsert === want.latest && history === want.latest && index === want.latest;
    if (everywhere && !want.poison) applied += 1;
    else if (dlqKeys.has(key)) {
      // dead-lettered
    } else if (waitingFrom.has(key)) waitingIdentities.push({ key, latest: want.latest, upsert, history, index });
    else lostIdentities.push({ key, latest: want.latest, upsert, history, index });
    if (!want.poison && !dlqKeys.has(key)) {
      const have = new Set(rows.map((r) => r.revision));
      // Revisions from the first one still waiting on the slow lane are not due yet.
      const due = (r: number) => r < (waitingFrom.get(key) ?? Infinity);
      const missing = Array.from({ length: want.latest }, (_, i) => i + 1).filter((r) => !have.has(r) && due(r));
      if (missing.length > 0 && history !== null) gapDetails.push(`${key} history lacks revision(s) ${missing.join(', ')}`);
    }
  }
  const unexplainedDlq = o.dlq.filter((d) => d.reason === undefined).length;
  const doubled = doubledDetails.length;

  const tenantOf = (key: string) => key.slice(0, Math.max(0, key.indexOf(':')));
  const parkedByTenant: Record<string, Record<string, number>> = {};
  for (const p of o.slowLane.parked) {
    const byReason = (parkedByTenant[tenantOf(p.key)] ??= {});
    byReason[p.reason ?? '(no reason)'] = (byReason[p.reason ?? '(no reason)'] ?? 0) + 1;
  }
  const rateFindings: string[] = [];
  const rateNotes: string[] = [];
  for (const [tenant, t] of Object.entries(o.slowLane.tenants)) {
    const overRate = parkedByTenant[tenant]?.['tenant-rate'] ?? 0;
    const windowSec = t.burst / t.ratePerSec;
    const offered = `offered at most ${t.peakOffered} per ${windowSec} s (limit ${t.burst}, ${t.ratePerSec}/s)`;
    rateNotes.push(`${tenant} ${offered}: ${overRate} parked for its rate`);
    if (t.peakOffered <= t.burst && overRate > 0)
      rateFindings.push(`${tenant} was never offered above its rate (${offered}) yet ${overRate} of its records were parked for it`);
    if (t.peakOffered >= 2 * t.burst && overRate === 0)
      rateFindings.push(`${tenant} was ${offered} yet nothing was parked for its rate: the limit did not bite`);
  }
  const waitingRecords = o.slowLane.parked.filter((p) => p.waiting).length;
  const reportedWaiting = o.slowLane.reported === null ? null : Object.values(o.slowLane.reported).reduce((a, b) => a + b, 0);
  const summary = {
    sent: o.sent,
    ids: [...o.expected.values()].filter((e) => !e.poison).length,
    applied,
    deduplicated: Math.max(0, o.rawRecords - o.distinct),
    deadLettered: o.dlq.length,
    parked: o.slowLane.parked.length,
    parkedByTenant,
    waiting: waitingIdentities.length,
    waitingRecords,
    reportedWaiting,
    lost: lostIdentities.length,
    doubled,
    historyGaps: gapDetails.length,
    unexplainedDlq,
    dlqReasons,
    lostIdentities,
    waitingIdentities,
    rateFindings,
    rateNotes,
    doubledDetails,
    gapDetails,
  };
  // Records still waiting are not a verdict on their own: the run waits (bounded by --drain) for
  // the slow lane to drain, and fails when it does not (main.ts).
  return { ...summary, ok: summary.lost === 0 && doubled === 0 && summary.historyGaps === 0 && unexplainedDlq === 0 && rateFindings.length === 0 };
}

/** The summary as a fixed-width table (the console) — counts only; details follow it. */
export function summaryTable(s: Summary): string {
  const rows: [string, number, string][] = [
    ['records sent (acknowledged)', s.sent, ''],
    ['identities', s.ids, 'customers, poison ids excluded'],
    ['applied', s.applied, 'latest revision in the table, the history and the index'],
    ['deduplicated', s.deduplicated, 'extra copies in the raw topic, absorbed'],
    [
      'dead-lettered',
      s.deadLettered,
      Object.entries(s.dlqReasons)
        .map(([r, n]) => `${r} ${n}`)
        .join(', '),
    ],
    [
      'parked on the slow lane',
      s.parked,
      Object.entries(s.parkedByTenant)
        .map(
          ([t, byReason]) =>
            `${t}: ${Object.entries(byReason)
              .map(([r, n]) => `${r} ${n}`)
              .join(', ')}`,
        )
        .join('; '),
    ],
    ['waiting (not yet applied)', s.waiting, `identities; ${s.waitingRecords} records still on the slow lane, the router counts ${s.reportedWaiting ?? 'n/a'}`],
    ['lost', s.lost, s.lost === 0 ? '' : 'FAIL'],
    ['doubled', s.doubled, s.doubled === 0 ? '' : 'FAIL'],
    ['history gaps', s.historyGaps, s.historyGaps === 0 ? '' : 'FAIL'],
    ['DLQ records without a reason', s.unexplainedDlq, s.unexplainedDlq === 0 ? '' : 'FAIL'],
    ['rate limits not holding', s.rateFindings.length, s.rateFindings.length === 0 ? s.rateNotes.join('; ') : 'FAIL'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const numWidth = Math.max(...rows.map((r) => String(r[1]).length));
  return rows.map(([what, n, note]) => `${what.padEnd(width)}  ${String(n).padStart(numWidth)}  ${note}`.trimEnd()).join('\n');
}
