import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

describe('sideBySide', () => {
  it('puts each figure of both runs beside its own baseline, with the ratio of the runs', () => {
    const table = sideBySide(
      {
        client: 'platformatic',
        file: 'a.json',
        rows: [
          { what: 'router', value: 12_000, unit: 'records/s', baseline: { name: 'platformatic passthrough', value: 60_000 } },
          { what: 'p99', value: 500, unit: 'ms' },
        ],
      },
      {
        client: 'kafkajs',
        file: 'b.json',
        rows: [
          { what: 'router', value: 8000, unit: 'records/s', baseline: { name: 'kafkajs passthrough', value: 32_000 } },
          { what: 'only here', value: 1.5, unit: 'x' },
        ],
      },
    );
    expect(table.split('\n')).toEqual([
      '| figure | platformatic (a.json) | kafkajs (b.json) | platformatic ÷ kafkajs |',
      '|---|---:|---:|---:|',
      '| router | 12,000 records/s (0.20× platformatic passthrough) | 8,000 records/s (0.25× kafkajs passthrough) | 1.50× |',
      '| p99 | 500 ms | — |  |',
      '| only here | — | 1.50 x |  |',
    ]);
  });
});
