import { describe, expect, it } from 'vitest';
import { fairnessRows, laneDrainSec, type FairnessResult } from './fairness.js';
import { markdownTable } from './report.js';

const dist = (p50: number, p99: number, count: number) => ({ count, p50, p95: p99, p99, max: p99 });

function result(): FairnessResult {
  return {
    a: {
      tenant: 'bench-r-a',
      ratePerSec: 500,
      burst: 1000,
      offeredPerSec: 2500,
      offeredSec: 10,
      records: 25_000,
      parked: 19_000,
      maxWaiting: 17_500,
      maxRawLag: 3_000,
      allInSinksMs: 49_500,
      rows: 25_000,
      docs: 25_000,
    },
    b: {
      tenant: 'bench-r-b',
      ratePerSec: 500,
      offeredPerSec: 250,
      offeredSec: 20,
      alone: dist(40, 120, 5000),
      withControl: dist(50, 150, 5000),
      withA: dist(60, 180, 5000),
      parked: 0,
    },
    control: { tenants: 7, perSec: 2500, records: 25_000, parked: 0 },
  };
}

describe('the fairness figures', () => {
  it("the slow lane drains A's parked records at A's rate", () => {
    expect(laneDrainSec(19_000, { ratePerSec: 500 })).toBe(38);
  });

  it("state B's p99 alone and with A, their ratio against the 2× target, and when all of A was in the sinks", () => {
    const rows = fairnessRows(result());
    expect(rows.map((r) => [r.what, r.value])).toEqual([
      ["fairness: B's end to end p99 alone (B offered 250/s, ½ its rate)", 120],
      ["fairness: B's end to end p99 with A offered 2,500/s (5× its rate) on the same partitions", 180],
      ["fairness: B's p99 with A ÷ alone", 1.5],
      ["fairness (control): B's end to end p99 with A's volume from 7 tenants within their rate", 150],
      ["fairness: all of A's records in the sinks after", 49.5],
    ]);
    const table = markdownTable(rows);
    expect(table).toContain('| 180 ms | B alone: 120 ms | 1.50× |');
    expect(table).toContain('| 1.50 × |  |  | ≤ 2.00 × | met — with A ÷ with the same volume within limits (control): 1.20× |');
    expect(table).toContain(
      "25,000 records offered over 10 s; 19,000 parked on the slow lane (at most 17,500 waiting at once); all 25,000 rows and 25,000 documents of 25,000; the slow lane's share at A's rate: parked ÷ 500/s = 38.0 s",
    );
    expect(table).toContain('| 150 ms | B alone: 120 ms | 1.25× |');
    expect(table).toContain('25,000 records at 2,500/s (~357/s each), 0 parked: the cost of the volume alone');
    expect(table).toContain("B parked 0; the router's raw backlog (A's and B's records not yet read) at most 3,000");
  });

  it('say so when A was not all in the sinks', () => {
    const r = result();
    r.a.allInSinksMs = null;
    r.a.rows = 24_990;
    const row = fairnessRows(r)[4]!;
    expect(row.value).toBeNaN();
    expect(row.note).toContain('NOT all — 24,990 rows');
  });
});
