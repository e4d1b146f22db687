import { describe, expect, it } from 'vitest';
import { reconcile, summaryTable, type HistoryRow, type Observed } from './reconcile.js';

const K1 = 't:customer:c-1';
const K2 = 't:customer:c-2';
const P = 't:customer:p-0';

/** Complete history of a key up to `latest`, valid_to chained. */
function chain(key: string, latest: number): HistoryRow[] {
  return Array.from({ length: latest }, (_, i) => ({ key, revision: i + 1, validFrom: (i + 1) * 10, validTo: i + 1 === latest ? null : (i + 2) * 10, isCurrent: i + 1 === latest }));
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
  };
}

describe('reconcile', () => {
  it('a clean run: everything applied, the poison id dead-lettered, copies counted as deduplicated', () => {
    const s = reconcile(healthy());
    expect(s).toMatchObject({ sent: 7, ids: 2, applied: 2, deduplicated: 2, deadLettered: 1, lost: 0, doubled: 0, historyGaps: 0, unexplainedDlq: 0, ok: true });
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

  it('renders the counts as a table', () => {
    const table = summaryTable(reconcile(healthy()));
    expect(table).toContain('records sent (acknowledged)');
    expect(table).toMatch(/lost\s+0/);
    expect(table).toMatch(/dead-lettered\s+1\s+VALIDATION_FAIL 1/);
  });
});
