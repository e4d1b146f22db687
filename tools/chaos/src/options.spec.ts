import { describe, expect, it } from 'vitest';
import { parseChaosOptions } from './options.js';

describe('parseChaosOptions', () => {
  it('defaults: 120 s, 500 ids × 4 revisions, a random seed', () => {
    const o = parseChaosOptions([]);
    expect(o).toMatchObject({ durationSec: 120, short: false, ids: 500, revisions: 4, drainSec: 180, keep: false });
    expect(o.seed).toBeGreaterThan(0);
  });

  it('--short shortens the run; explicit values and --seed win', () => {
    expect(parseChaosOptions(['--short'])).toMatchObject({ durationSec: 50, ids: 300, short: true });
    expect(parseChaosOptions(['--short', '--seed', '77', '--duration', '30', '--ids', '10'])).toMatchObject({ seed: 77, durationSec: 30, ids: 10 });
  });

  it('refuses bad numbers and unknown flags, naming the flag', () => {
    expect(() => parseChaosOptions(['--duration', '0'])).toThrow(/--duration/);
    expect(() => parseChaosOptions(['--seed', 'abc'])).toThrow(/--seed/);
    expect(() => parseChaosOptions(['--bogus'])).toThrow();
  });
});
