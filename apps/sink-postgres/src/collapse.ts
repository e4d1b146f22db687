// Upsert mode applies one version per key and batch: the highest revision. The others of the same
// key are settled by what happened to it, exactly as if the batch had been applied one record at
// a time in revision order:
//   applied (written or equal-revision) → lower revisions: noop 'superseded-in-batch';
//                                          the same revision again: noop 'equal-revision'
//   refused as older (current > it)     → every other version of the key: older-revision too
//   failed (constraint, bad value)      → the next highest version gets its turn (next round)
// So update → delete → update ends at the last update, and a delete that is last ends deleted.
import type { SinkOutcome } from './sink-types.js';

export interface Versioned {
  /** Position in the writeBatch input. */
  index: number;
  keyId: string;
  revision: number;
}

/** The versions of one key, best first: highest revision, then earliest in the batch. */
export interface KeyVersions<T extends Versioned> {
  keyId: string;
  versions: T[];
}

export function groupByKey<T extends Versioned>(items: readonly T[]): KeyVersions<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.keyId);
    if (list) list.push(item);
    else groups.set(item.keyId, [item]);
  }
  return [...groups].map(([keyId, versions]) => ({ keyId, versions: versions.sort((a, b) => b.revision - a.revision || a.index - b.index) }));
}

/** What the database said about the applied version of a key. */
export type AppliedResult = { status: 'written' } | { status: 'noop'; why: 'equal-revision' } | { status: 'older-revision'; currentRevision: number };

/** Outcomes for the versions after `winner` in `versions` (the winner itself gets `result`). */
export function settleRest<T extends Versioned>(versions: readonly T[], winner: number, result: AppliedResult): Array<[index: number, outcome: SinkOutcome]> {
  const top = versions[winner]!;
  return versions.slice(winner + 1).map((v): [number, SinkOutcome] => {
    if (result.status === 'older-revision') return [v.index, { status: 'older-revision', currentRevision: result.currentRevision }];
    if (v.revision === top.revision) return [v.index, { status: 'noop', why: 'equal-revision' }];
    return [v.index, { status: 'noop', why: 'superseded-in-batch' }];
  });
}
