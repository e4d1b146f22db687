// Several revisions of one key in one batch — the one rule every sink follows (docs/adding-a-sink.md):
//
//   - per key, ONE record is written: the highest revision; among equal revisions the LAST in
//     the batch (the latest offset) wins, so equal revisions with different payloads end with
//     the last payload;
//   - every other record of the key is superseded: outcome noop 'superseded-in-batch', never
//     written — an older revision that comes after a newer one included.
//
// Across batches the revision guard decides: a revision the store already has is a no-op
// ('equal-revision'), whatever its payload. "Last wins" for equal revisions therefore holds
// within one batch only; a producer that changes a payload must change its revision.
//
// collapseRevisions() is the rule for a sink that writes the winners and is done. A sink that
// gives the next version of a key its turn when the winner fails by itself (sink-postgres's
// upsert mode, as one-by-one application would) uses rankRevisions() and settleSuperseded().
import type { SinkOutcome, SinkRecordIn } from './sink.js';

/** The outcome of a record that a newer (or equal and later) record of its key replaced in the batch. */
export type SupersededInBatch = { status: 'noop'; why: 'superseded-in-batch' };

/** A fresh SupersededInBatch outcome. */
export function supersededInBatch(): SupersededInBatch {
  return { status: 'noop', why: 'superseded-in-batch' };
}

/** A record and its position in the writeBatch input. */
export interface Ranked<T> {
  index: number;
  record: T;
}

/** The records of one key, best first: highest revision, then latest in the batch. */
export interface RevisionGroup<T> {
  key: string;
  /** versions[0] is the winner; the others follow in the order to try them should it fail. */
  versions: Ranked<T>[];
}

export interface Superseded<T> extends Ranked<T> {
  outcome: SupersededInBatch;
  /** Index of the record of the same key that is written instead. */
  winner: number;
}

export interface Collapsed<T> {
  /** The records to write: one per key, in batch order. */
  write: Ranked<T>[];
  /** The other records, in batch order, with their outcome. */
  superseded: Superseded<T>[];
}

/** Identity of a record's key: SinkRecordIn's Kafka key (tenant:entityType:id) unless a sink needs its own (a document id, key columns). */
export type KeyOf<T> = (record: T, index: number) => string;

/** Revisions are integers (Avro long); the ranking compares them as numbers. */
type Revisioned = { revision: number };

const byKafkaKey: KeyOf<Pick<SinkRecordIn, 'key'>> = (record) => record.key;

/** Groups a batch per key, each group best first; groups in the order their keys first appear. */
export function rankRevisions(records: readonly SinkRecordIn[]): RevisionGroup<SinkRecordIn>[];
export function rankRevisions<T extends Revisioned>(records: readonly T[], keyOf: KeyOf<T>): RevisionGroup<T>[];
export function rankRevisions<T extends Revisioned>(records: readonly T[], keyOf?: KeyOf<T>): RevisionGroup<T>[] {
  const key = keyOf ?? (byKafkaKey as unknown as KeyOf<T>);
  const groups = new Map<string, Ranked<T>[]>();
  records.forEach((record, index) => {
    const k = key(record, index);
    const list = groups.get(k);
    if (list) list.push({ index, record });
    else groups.set(k, [{ index, record }]);
  });
  return [...groups].map(([k, versions]) => ({ key: k, versions: versions.sort((a, b) => b.record.revision - a.record.revision || b.index - a.index) }));
}

/** The records to write (one per key: highest revision, the last on a tie) and the superseded rest. */
export function collapseRevisions(records: readonly SinkRecordIn[]): Collapsed<SinkRecordIn>;
export function collapseRevisions<T extends Revisioned>(records: readonly T[], keyOf: KeyOf<T>): Collapsed<T>;
export function collapseRevisions<T extends Revisioned>(records: readonly T[], keyOf?: KeyOf<T>): Collapsed<T> {
  const groups = rankRevisions(records, keyOf ?? (byKafkaKey as unknown as KeyOf<T>));
  const write: Ranked<T>[] = [];
  const superseded: Superseded<T>[] = [];
  for (const { versions } of groups) {
    const [winner, ...rest] = versions;
    write.push(winner!);
    for (const v of rest) superseded.push({ ...v, outcome: supersededInBatch(), winner: winner!.index });
  }
  const inBatchOrder = (a: Ranked<T>, b: Ranked<T>) => a.index - b.index;
  return { write: write.sort(inBatchOrder), superseded: superseded.sort(inBatchOrder) };
}

/**
 * Outcomes of the versions ranked after `pos` in a group once the version at `pos` — the one the
 * store saw — has its outcome, for a sink that tries the next version when one fails:
 *   written or noop           → noop 'superseded-in-batch' (the rule)
 *   older-revision(current)   → older-revision(current): no record of the batch reached the
 *                               store, which holds a newer revision than all of them
 *   failed                    → none: nothing superseded them; the caller decides (fail them
 *                               alike when the failure is retryable, else give the next its turn)
 */
export function settleSuperseded<T>(versions: readonly Ranked<T>[], pos: number, outcome: SinkOutcome): Array<[index: number, outcome: SinkOutcome]> {
  if (outcome.status === 'failed') return [];
  const rest = versions.slice(pos + 1);
  if (outcome.status === 'older-revision') return rest.map((v) => [v.index, { status: 'older-revision', currentRevision: outcome.currentRevision }]);
  return rest.map((v) => [v.index, supersededInBatch()]);
}
