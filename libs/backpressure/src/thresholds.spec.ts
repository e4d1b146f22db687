import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds.js';

describe('thresholds', () => {
  it('defaults are valid and frozen', () => {
    expect(resolveThresholds()).toEqual(DEFAULT_THRESHOLDS);
    expect(Object.isFrozen(DEFAULT_THRESHOLDS)).toBe(true);
    expect(Object.isFrozen(resolveThresholds({ highWater: 0.8 }))).toBe(true);
  });

  it('overlays the given values and ignores undefined ones', () => {
    const t = resolveThresholds({ throttleLatencyMs: 3_000, lowWater: undefined });
    expect(t.throttleLatencyMs).toBe(3_000);
    expect(t.lowWater).toBe(DEFAULT_THRESHOLDS.lowWater);
  });

  it.each([
    [{ lowWater: 0 }, /lowWater/],
    [{ lowWater: 0.95 }, /highWater/],
    [{ throttleExitLatencyMs: 0 }, /throttleExitLatencyMs/],
    [{ throttleExitLatencyMs: 2_500 }, /throttleLatencyMs/],
    [{ brownoutLatencyMs: 1_500 }, /brownoutLatencyMs/],
    [{ brownoutExitLatencyMs: 9_000 }, /brownoutLatencyMs/],
    [{ brownoutSampleRate: 1.5 }, /sampleRate/],
    [{ highWater: Number.NaN }, /highWater/],
  ])('rejects %o, naming the field', (overrides, field) => {
    expect(() => resolveThresholds(overrides)).toThrow(RangeError);
    expect(() => resolveThresholds(overrides)).toThrow(field);
  });
});
