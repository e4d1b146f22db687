// A small seedable PRNG, so that a schedule and a load are functions of the seed alone and a
// failing run can be replayed with --seed. The generator itself (mulberry32) is the test harness's.
import { seeded } from '@ingest-mesh/testing';

export { seeded };

/** An integer in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Fisher–Yates, in place. */
export function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
