// The verdict, a pure function of what was sent and what the stores hold at the end:
//   applied       identities at their latest revision in all three places — the upsert table,
//                 the history table (as its current version) and the index (_version, the
//                 sink's external version, = revision);
//   dead-lettered DLQ records (every one must carry x-mesh-reason; one without is "unexplained");
//   lost          identities not applied everywhere and with no DLQ record explaining them;
//   doubled       a version applied twice: a (key, revision) twice in the history table, an
//                 identity indexed as more than one document, or more than one current version;
//   history gaps  versions missing from the history table (every revision was sent, so history
//                 must have all of them unless the identity is in the DLQ), or a broken chain
//                 (valid_to of a version ≠ valid_from of the next);
//   deduplicated  copies that reached the raw topic beyond the distinct records (deliberate
//                 duplicates and producer retries), absorbed by the router's dedupe or a sink's
//                 revision guard.

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
  lost: number;
  doubled: number;
  historyGaps: number;
  unexplainedDlq: number;
  dlqReasons: Record<string, number>;
  lostIdentities: LostIdentity[];
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
      if (next !== undefined && next.revision !== r.revision && r.validTo !== next.validFrom) gapDetails.push(`${key} revision ${r.revision}: valid_to ≠ valid_from of revision ${next.revision}`);
    });
  }
  for (const [key, versions] of indexByKey) if (versions.length > 1) doubledDetails.push(`${key} is indexed ${versions.length} times`);

  let applied = 0;
  const lostIdentities: LostIdentity[] = [];
  for (const [key, want] of o.expected) {
    const rows = historyByKey.get(key) ?? [];
    const upsert = o.upsert.get(key) ?? null;
    const history = rows.find((r) => r.isCurrent)?.revision ?? null;
    const versions = indexByKey.get(key) ?? [];
    const index = versions.length > 0 ? Math.max(...versions) : null;
    const everywhere = upsert === want.latest && history === want.latest && index === want.latest;
    if (everywhere && !want.poison) applied += 1;
    else if (!dlqKeys.has(key)) lostIdentities.push({ key, latest: want.latest, upsert, history, index });
    if (!want.poison && !dlqKeys.has(key)) {
      const have = new Set(rows.map((r) => r.revision));
      const missing = Array.from({ length: want.latest }, (_, i) => i + 1).filter((r) => !have.has(r));
      if (missing.length > 0 && history !== null) gapDetails.push(`${key} history lacks revision(s) ${missing.join(', ')}`);
    }
  }
  const unexplainedDlq = o.dlq.filter((d) => d.reason === undefined).length;
  const doubled = doubledDetails.length;
  const summary = {
    sent: o.sent,
    ids: [...o.expected.values()].filter((e) => !e.poison).length,
    applied,
    deduplicated: Math.max(0, o.rawRecords - o.distinct),
    deadLettered: o.dlq.length,
    lost: lostIdentities.length,
    doubled,
    historyGaps: gapDetails.length,
    unexplainedDlq,
    dlqReasons,
    lostIdentities,
    doubledDetails,
    gapDetails,
  };
  return { ...summary, ok: summary.lost === 0 && doubled === 0 && summary.historyGaps === 0 && unexplainedDlq === 0 };
}

/** The summary as a fixed-width table (the console) — counts only; details follow it. */
export function summaryTable(s: Summary): string {
  const rows: [string, number, string][] = [
    ['records sent (acknowledged)', s.sent, ''],
    ['identities', s.ids, 'customers, poison ids excluded'],
    ['applied', s.applied, 'latest revision in the table, the history and the index'],
    ['deduplicated', s.deduplicated, 'extra copies in the raw topic, absorbed'],
    ['dead-lettered', s.deadLettered, Object.entries(s.dlqReasons).map(([r, n]) => `${r} ${n}`).join(', ')],
    ['lost', s.lost, s.lost === 0 ? '' : 'FAIL'],
    ['doubled', s.doubled, s.doubled === 0 ? '' : 'FAIL'],
    ['history gaps', s.historyGaps, s.historyGaps === 0 ? '' : 'FAIL'],
    ['DLQ records without a reason', s.unexplainedDlq, s.unexplainedDlq === 0 ? '' : 'FAIL'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const numWidth = Math.max(...rows.map((r) => String(r[1]).length));
  return rows.map(([what, n, note]) => `${what.padEnd(width)}  ${String(n).padStart(numWidth)}  ${note}`.trimEnd()).join('\n');
}
