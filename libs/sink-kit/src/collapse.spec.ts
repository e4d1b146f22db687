import { describe, expect, it } from 'vitest';
import { collapseRevisions, rankRevisions, settleSuperseded, type Ranked } from './collapse.js';
import type { SinkRecordIn } from './sink.js';

// A versioned item keyed by `keyId` (as sink-postgres keys rows by their key columns).
const v = (index: number, keyId: string, revision: number) => ({ index, keyId, revision });
const byKeyId = (item: { keyId: string }) => item.keyId;
const ranked = <T>(items: T[], ...indexes: number[]): Ranked<T>[] => indexes.map((index) => ({ index, record: items[index]! }));

const record = (
  id: string,
  revision: number,
  payload: Record<string, unknown> | null = { id, revision },
  op: 'upsert' | 'delete' = 'upsert',
): SinkRecordIn => ({
  key: `acme:customer:${id}`,
  topic: 'sink.test',
  partition: 0,
  offset: '0',
  tenant: 'acme',
  source: 'crm',
  entityType: 'customer',
  id,
  revision,
  occurredAt: new Date(0),
  priority: 'normal',
  op,
  payload: op === 'delete' ? null : payload,
  payloadSchemaId: op === 'delete' ? null : 1,
});

describe('rankRevisions', () => {
  it('groups per key, best version first: highest revision, then LATEST in the batch', () => {
    const items = [v(0, 'a', 1), v(1, 'b', 5), v(2, 'a', 3), v(3, 'a', 2), v(4, 'a', 3)];
    expect(rankRevisions(items, byKeyId)).toEqual([
      { key: 'a', versions: ranked(items, 4, 2, 3, 0) },
      { key: 'b', versions: ranked(items, 1) },
    ]);
  });

  it('is empty for an empty batch', () => {
    expect(rankRevisions([], byKeyId)).toEqual([]);
  });

  it('keys SinkRecords by their Kafka key (tenant:entityType:id) unless told otherwise', () => {
    const records = [record('c1', 1), { ...record('c1', 2), key: 'globex:customer:c1', tenant: 'globex' }, record('c1', 3)];
    expect(rankRevisions(records).map((g) => [g.key, g.versions.map((x) => x.index)])).toEqual([
      ['acme:customer:c1', [2, 0]],
      ['globex:customer:c1', [1]],
    ]);
  });
});

describe('collapseRevisions', () => {
  it('keeps the highest revision per key, in batch order; the others are superseded-in-batch', () => {
    const refs = [
      { index: 'i', id: 'a', revision: 1 },
      { index: 'i', id: 'b', revision: 5 },
      { index: 'i', id: 'a', revision: 3 },
      { index: 'i', id: 'b', revision: 2 },
      { index: 'j', id: 'a', revision: 1 },
    ];
    const { write, superseded } = collapseRevisions(refs, (r) => `${r.index}/${r.id}`);
    expect(write.map((w) => w.index)).toEqual([1, 2, 4]);
    expect(superseded.map((s) => [s.index, s.winner, s.outcome])).toEqual([
      [0, 2, { status: 'noop', why: 'superseded-in-batch' }],
      [3, 1, { status: 'noop', why: 'superseded-in-batch' }],
    ]);
  });

  it('on equal revisions the later record wins', () => {
    const { write, superseded } = collapseRevisions(
      [
        { key: 'a', revision: 2 },
        { key: 'a', revision: 2 },
      ],
      (r) => r.key,
    );
    expect(write.map((w) => w.index)).toEqual([1]);
    expect(superseded.map((s) => s.index)).toEqual([0]);
  });

  it('equal revisions with different payloads: the last payload is the one written', () => {
    const records = [record('c1', 4, { id: 'c1', name: 'first' }), record('c1', 4, { id: 'c1', name: 'second' }), record('c1', 4, { id: 'c1', name: 'third' })];
    const { write, superseded } = collapseRevisions(records);
    expect(write).toEqual([{ index: 2, record: records[2] }]);
    expect(write[0]!.record.payload).toEqual({ id: 'c1', name: 'third' });
    expect(superseded.map((s) => [s.index, s.outcome.why])).toEqual([
      [0, 'superseded-in-batch'],
      [1, 'superseded-in-batch'],
    ]);
  });

  it('an older revision after a newer one is superseded, never written', () => {
    const records = [record('c1', 5), record('c1', 3), record('c2', 1)];
    const { write, superseded } = collapseRevisions(records);
    expect(write.map((w) => w.index)).toEqual([0, 2]);
    expect(superseded).toEqual([{ index: 1, record: records[1], winner: 0, outcome: { status: 'noop', why: 'superseded-in-batch' } }]);
  });

  it('a tombstone is a revision like any other: update → delete → update ends at the last update', () => {
    const records = [record('c1', 1), record('c1', 2, null, 'delete'), record('c1', 3)];
    expect(collapseRevisions(records).write.map((w) => w.index)).toEqual([2]);
    const deleteLast = [record('c1', 1), record('c1', 2), record('c1', 3, null, 'delete')];
    expect(collapseRevisions(deleteLast).write.map((w) => w.record.op)).toEqual(['delete']);
  });

  it('writes everything of a batch without repeated keys, and nothing of an empty one', () => {
    const records = [record('a', 1), record('b', 1), record('c', 7)];
    expect(collapseRevisions(records)).toEqual({ write: ranked(records, 0, 1, 2), superseded: [] });
    expect(collapseRevisions([])).toEqual({ write: [], superseded: [] });
  });
});

describe('settleSuperseded', () => {
  const items = [v(0, 'a', 1), v(1, 'b', 5), v(2, 'a', 3), v(3, 'a', 2), v(4, 'a', 3)];
  // Best first: 4 (rev 3, later), 2 (rev 3), 3 (rev 2), 0 (rev 1).
  const versions = rankRevisions(items, byKeyId)[0]!.versions;

  it('after a written winner: the earlier copy of the same revision and the lower ones are superseded-in-batch', () => {
    expect(settleSuperseded(versions, 0, { status: 'written' })).toEqual([
      [2, { status: 'noop', why: 'superseded-in-batch' }],
      [3, { status: 'noop', why: 'superseded-in-batch' }],
      [0, { status: 'noop', why: 'superseded-in-batch' }],
    ]);
  });

  it('after an equal-revision winner: the same', () => {
    expect(settleSuperseded(versions, 0, { status: 'noop', why: 'equal-revision' })[1]).toEqual([3, { status: 'noop', why: 'superseded-in-batch' }]);
  });

  it('after a winner refused as older: every other version is older too', () => {
    expect(settleSuperseded(versions, 0, { status: 'older-revision', currentRevision: 9 })).toEqual([
      [2, { status: 'older-revision', currentRevision: 9 }],
      [3, { status: 'older-revision', currentRevision: 9 }],
      [0, { status: 'older-revision', currentRevision: 9 }],
    ]);
  });

  it('from a fallback position only the versions after it are settled', () => {
    expect(settleSuperseded(versions, 2, { status: 'written' })).toEqual([[0, { status: 'noop', why: 'superseded-in-batch' }]]);
  });

  it('after a failed winner nothing is settled: nothing superseded them', () => {
    expect(settleSuperseded(versions, 0, { status: 'failed', error: new Error('constraint') })).toEqual([]);
  });
});
