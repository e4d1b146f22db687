// One action per document per bulk: within a batch, the record with the highest revision of each
// (index, id) wins (the later one on a tie); the others are `noop: superseded-in-batch`.
import type { DocRef } from './search-backend.js';
import { docKey } from './search-backend.js';

export interface Collapsed {
  /** Indexes (into the batch) of the winners, in batch order. */
  winners: number[];
  /** Indexes of the superseded records. */
  superseded: number[];
}

export function collapse(refs: readonly (DocRef & { revision: number })[]): Collapsed {
  const best = new Map<string, number>();
  refs.forEach((ref, i) => {
    const key = docKey(ref);
    const current = best.get(key);
    if (current === undefined || ref.revision >= refs[current]!.revision) best.set(key, i);
  });
  const winnerSet = new Set(best.values());
  const winners: number[] = [];
  const superseded: number[] = [];
  refs.forEach((_, i) => (winnerSet.has(i) ? winners : superseded).push(i));
  return { winners, superseded };
}
