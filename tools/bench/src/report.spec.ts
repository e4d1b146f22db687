import { describe, expect, it } from 'vitest';
import { markdownTable, meets } from './report.js';

describe('report', () => {
  it('states each figure next to its baseline, as a ratio, and against its target', () => {
    const table = markdownTable([
      { what: 'router', value: 12_345.6, unit: 'records/s', baseline: { name: 'passthrough', value: 49_382.4 }, target: { value: 20_000, atLeast: true } },
      { what: 'e2e p99', value: 180, unit: 'ms', target: { value: 250, atLeast: false }, note: 'at 5,000 records/s' },
    ]);
    expect(table.split('\n')).toEqual([
      '| figure | measured | baseline (same run) | ratio | target | |',
      '|---|---:|---|---:|---:|---|',
      '| router | 12,346 records/s | passthrough: 49,382 records/s | 0.25× | ≥ 20,000 records/s | NOT met |',
      '| e2e p99 | 180 ms |  |  | ≤ 250 ms | met — at 5,000 records/s |',
    ]);
  });

  it('knows met from not met in both directions, and no target as neither', () => {
    expect(meets({ what: 'a', value: 5, unit: 'x', target: { value: 5, atLeast: true } })).toBe(true);
    expect(meets({ what: 'a', value: 6, unit: 'x', target: { value: 5, atLeast: false } })).toBe(false);
    expect(meets({ what: 'a', value: 6, unit: 'x' })).toBeUndefined();
  });
});
