import { describe, expect, it } from 'vitest';
import { reconcile, summaryTable, type HistoryRow, type Observed } from './reconcile.js';

const K1 = 't:customer:c-1';
const K2 = 't:customer:c-2';
const P = 't:customer:p-0';

/** Complete history of a key up to `latest`, valid_to chained. */
function chain(key: string, latest: number): HistoryRow[] {
  return Array.from({ length: latest }, (_, i) => ({
    key,
    revision: i + 1,
    validFrom: (i + 1) * 10,
    validTo: i + 1 === latest ? null : (i + 2) * 10,
    isCurrent: i + 1 === latest,
  }));
}

function healthy(): Observed {
  return {
    sent: 7,
    rawRecords: 8,
    distinct: 6,
    expected: new Map([
      [K1, { latest: 3, poison: false }],
      [K2, { latest: 2, poison: false }],
      [P, { latest: 1, poison: true }],
    ]),
    upsert: new Map([
      [K1, 3],
      [K2, 2],
    ]),
    history: [...chain(K1, 3), ...chain(K2, 2)],
    index: [
      { key: K1, version: 3 },
      { key: K2, version: 2 },
    ],
    dlq: [{ topic: 'dlq.ingest-router', key: P, reason: 'VALIDATION_FAIL' }],
    slowLane: { parked: [], reported: { t: 0 }, tenants: { t: { ratePerSec: 500, burst: 1000, peakOffered: 40 } } },
  };
}

/** K2 behind: revision 2 (and a later copy) still on the slow lane, revision 1 applied. */
function k2Waiting(): Observed {
  const o = healthy();
  o.upsert.set(K2, 1);
  o.history = [...chain(K1, 3), ...chain(K2, 1)];
  o.index = [
    { key: K1, version: 3 },
    { key: K2, version: 1 },
  ];
  o.slowLane.parked = [
    { key: K1, revision: 2, reason: 'tenant-rate', waiting: false },
    { key: K1, revision: 3, reason: 'key-waiting', waiting: false },
    { key: K2, revision: 2, reason: 'tenant-rate', waiting: true },
  ];
  o.slowLane.reported = { t: 1 };
  o.slowLane.tenants.t!.peakOffered = 3000; // offered at 3 × its burst: parking is expected
  return o;
}

describe('reconcile', () => {
  it('a clean run: everything applied, the poison id dead-lettered, copies counted as deduplicated', () => {
    const s = reconcile(healthy());
    expect(s).toMatchObject({
      sent: 7,
      ids: 2,
      applied: 2,
      deduplicated: 2,
      deadLettered: 1,
      lost: 0,
      doubled: 0,
      historyGaps: 0,
      unexplainedDlq: 0,
      ok: true,
    });
    expect(s.dlqReasons).toEqual({ VALIDATION_FAIL: 1 });
  });

  it('an id behind its latest revision in any one store, and not in the DLQ, is lost (naming where)', () => {
    for (const breakIt of [
      (o: Observed) => o.upsert.set(K1, 2),
      (o: Observed) => (o.index = o.index.filter((d) => d.key !== K1)),
      (o: Observed) => (o.history = [...chain(K1, 2), ...chain(K2, 2)]),
    ]) {
      const o = healthy();
      breakIt(o);
      const s = reconcile(o);
      expect(s.lost).toBe(1);
      expect(s.applied).toBe(1);
      expect(s.lostIdentities[0]!.key).toBe(K1);
      expect(s.ok).toBe(false);
    }
  });

  it('an id that did not arrive but is in the DLQ with a reason is dead-lettered, not lost', () => {
    const o = healthy();
    o.upsert.set(K2, 1);
    o.dlq.push({ topic: 'dlq.sink-postgres', key: K2, reason: 'CONSTRAINT_VIOLATION' });
    const s = reconcile(o);
    expect(s).toMatchObject({ applied: 1, lost: 0, deadLettered: 2, ok: true });
  });

  it('a poison id missing from the DLQ is lost', () => {
    const o = healthy();
    o.dlq = [];
    expect(reconcile(o)).toMatchObject({ lost: 1, ok: false });
  });

  it('a DLQ record without a reason fails the run and does not explain its id', () => {
    const o = healthy();
    o.dlq = [{ topic: 'dlq.ingest-router', key: P, reason: undefined }];
    expect(reconcile(o)).toMatchObject({ unexplainedDlq: 1, lost: 1, ok: false });
  });

  it('a version twice in the history, two current versions, or two documents of one id are doubled', () => {
    const twice = healthy();
    twice.history.push({ ...twice.history[0]! });
    expect(reconcile(twice)).toMatchObject({ doubled: 1, ok: false });
    const twoCurrent = healthy();
    twoCurrent.history[0]!.isCurrent = true;
    expect(reconcile(twoCurrent).doubled).toBe(1);
    const twoDocs = healthy();
    twoDocs.index.push({ key: K2, version: 2 });
    expect(reconcile(twoDocs).doubledDetails).toEqual([`${K2} is indexed 2 times`]);
  });

  it('a missing middle version or a broken valid_to chain is a history gap', () => {
    const missing = healthy();
    missing.history = missing.history.filter((r) => !(r.key === K1 && r.revision === 2));
    const s = reconcile(missing);
    expect(s.historyGaps).toBeGreaterThan(0);
    expect(s.gapDetails).toContain(`${K1} history lacks revision(s) 2`);
    expect(s.ok).toBe(false);
    const broken = healthy();
    broken.history[0]!.validTo = 999;
    expect(reconcile(broken).gapDetails).toEqual([`${K1} revision 1: valid_to ≠ valid_from of revision 2`]);
  });

  it('an id whose record still waits on the slow lane is waiting (not yet applied), not lost, and its missing revisions are no gap', () => {
    const s = reconcile(k2Waiting());
    expect(s).toMatchObject({ applied: 1, waiting: 1, waitingRecords: 1, reportedWaiting: 1, lost: 0, historyGaps: 0, parked: 3, ok: true });
    expect(s.waitingIdentities).toEqual([{ key: K2, latest: 2, upsert: 1, history: 1, index: 1 }]);
    expect(s.parkedByTenant).toEqual({ t: { 'tenant-rate': 2, 'key-waiting': 1 } });
  });

  it('a record the slow lane routed already explains nothing: its id, not applied, is lost', () => {
    const o = k2Waiting();
    o.slowLane.parked[2]!.waiting = false;
    expect(reconcile(o)).toMatchObject({ waiting: 0, waitingRecords: 0, lost: 1, ok: false });
  });

  it('a revision missing before the one still waiting is a history gap all the same', () => {
    const o = healthy();
    o.upsert.set(K1, 1);
    o.history = [...chain(K1, 1), ...chain(K2, 2)];
    o.index[0]!.version = 1;
    o.slowLane.parked = [{ key: K1, revision: 3, reason: 'tenant-rate', waiting: true }];
    const s = reconcile(o);
    expect(s).toMatchObject({ waiting: 1, lost: 0, ok: false });
    expect(s.gapDetails).toEqual([`${K1} history lacks revision(s) 2`]);
  });

  it('a waiting record of unknown revision excuses every missing revision of its id', () => {
    const o = k2Waiting();
    o.history = [...chain(K1, 3)];
    o.slowLane.parked[2]!.revision = null;
    expect(reconcile(o)).toMatchObject({ waiting: 1, lost: 0, historyGaps: 0, ok: true });
  });

  it('the rate limits must hold: nothing parked for its rate below it, something parked at twice the burst or more', () => {
    const parkedBelow = k2Waiting();
    parkedBelow.slowLane.tenants.t!.peakOffered = 1000; // exactly the burst: within the limit
    const below = reconcile(parkedBelow);
    expect(below.ok).toBe(false);
    expect(below.rateFindings).toEqual([
      't was never offered above its rate (offered at most 1000 per 2 s (limit 1000, 500/s)) yet 2 of its records were parked for it',
    ]);

    const notBitten = healthy();
    notBitten.slowLane.tenants.t!.peakOffered = 2000;
    expect(reconcile(notBitten).rateFindings).toEqual([
      't was offered at most 2000 per 2 s (limit 1000, 500/s) yet nothing was parked for its rate: the limit did not bite',
    ]);

    // Somewhat over the burst with nothing parked is no finding (the router's windows are binned).
    const slightlyOver = healthy();
    slightlyOver.slowLane.tenants.t!.peakOffered = 1200;
    expect(reconcile(slightlyOver)).toMatchObject({ rateFindings: [], ok: true });
    // Per tenant, for the table: only what was parked for its rate (not key-waiting) is counted.
    expect(reconcile(k2Waiting()).rateNotes).toEqual(['t offered at most 3000 per 2 s (limit 1000, 500/s): 2 parked for its rate']);
  });

  it('renders the counts as a table', () => {
    const table = summaryTable(reconcile(healthy()));
    expect(table).toContain('records sent (acknowledged)');
    expect(table).toMatch(/lost\s+0/);
    expect(table).toMatch(/dead-lettered\s+1\s+VALIDATION_FAIL 1/);
    expect(table).toMatch(/rate limits not holding\s+0\s+t offered at most 40 per 2 s/);
    const waiting = summaryTable(reconcile(k2Waiting()));
    expect(waiting).toMatch(/parked on the slow lane\s+3\s+t: tenant-rate 2, key-waiting 1/);
    expect(waiting).toMatch(/waiting \(not yet applied\)\s+1\s+identities; 1 records still on the slow lane, the router counts 1/);
  });
});
