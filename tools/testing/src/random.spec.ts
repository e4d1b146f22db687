import { describe, expect, it } from 'vitest';
import { seeded } from './random.js';

describe('seeded', () => {
  it('repeats its sequence for a seed, differs for another, stays in [0, 1)', () => {
    const take = (seed: number) => Array.from({ length: 100 }, seeded(seed));
    expect(take(7)).toEqual(take(7));
    expect(take(8)).not.toEqual(take(7));
    for (const x of take(9)) expect(x >= 0 && x < 1).toBe(true);
  });
});
