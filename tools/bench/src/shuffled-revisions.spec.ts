import { describe, expect, it } from 'vitest';
import { REVISIONS_PER_ID, shuffledRevisions } from './shuffled-revisions.js';

describe('shuffledRevisions', () => {
  it('holds every revision of every id once, in an order the seed repeats', () => {
    const ids = Array.from({ length: 50 }, (_, n) => `id-${n}`);
    const order = shuffledRevisions(ids, 7);
    expect(order).toHaveLength(ids.length * REVISIONS_PER_ID);
    expect(new Set(order.map((o) => `${o.id}@${o.revision}`)).size).toBe(order.length);
    expect(shuffledRevisions(ids, 7)).toEqual(order);
    expect(shuffledRevisions(ids, 8)).not.toEqual(order);
  });

  it('puts a lower revision after a higher one for most ids (late revisions)', () => {
    const ids = Array.from({ length: 400 }, (_, n) => `id-${n}`);
    const seen = new Map<string, number>();
    const late = new Set<string>();
    for (const { id, revision } of shuffledRevisions(ids, 1)) {
      if ((seen.get(id) ?? 0) > revision) late.add(id);
      seen.set(id, Math.max(seen.get(id) ?? 0, revision));
    }
    // A random order of 4 is increasing for 1 id in 24: nearly all ids see a late revision.
    expect(late.size).toBeGreaterThan(ids.length * 0.9);
  });
});
