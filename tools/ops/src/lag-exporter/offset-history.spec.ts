import { describe, expect, it } from 'vitest';
import { OffsetHistory } from './offset-history.js';

describe('OffsetHistory (time lag from log-end samples)', () => {
  it('is 0 for a group at the log end', () => {
    const h = new OffsetHistory(3_600_000);
    h.record(0, 100n);
    expect(h.ageSeconds(100n, 60_000)).toBe(0);
  });

  it('interpolates when the next record was appended between two samples', () => {
    const h = new OffsetHistory(3_600_000);
    h.record(0, 100n);
    h.record(10_000, 200n); // record 149 appended about 5 s in
    expect(h.ageSeconds(149n, 20_000)).toBeCloseTo(15, 5);
  });

  it('keeps growing while the group stands still and the log grows (a stopped consumer)', () => {
    const h = new OffsetHistory(3_600_000);
    for (let t = 0; t <= 600_000; t += 15_000) h.record(t, BigInt(t / 100));
    expect(h.ageSeconds(0n, 600_000)).toBeGreaterThan(590);
    expect(h.ageSeconds(0n, 900_000)).toBeGreaterThan(890);
  });

  it('reads a committed offset older than the history as at least the history span', () => {
    const h = new OffsetHistory(60_000);
    for (let t = 0; t <= 300_000; t += 10_000) h.record(t, 1000n + BigInt(t / 1000));
    expect(h.size).toBeLessThan(10);
    expect(h.ageSeconds(5n, 300_000)).toBeGreaterThanOrEqual(60);
  });

  it('keeps the start of a flat stretch, so an idle log does not make old records look new', () => {
    const h = new OffsetHistory(3_600_000);
    h.record(0, 10n);
    h.record(10_000, 50n);
    for (let t = 20_000; t <= 200_000; t += 10_000) h.record(t, 50n);
    expect(h.size).toBe(3);
    expect(h.ageSeconds(49n, 200_000)).toBeCloseTo(190, 0);
  });

  it('ignores samples out of time order', () => {
    const h = new OffsetHistory(3_600_000);
    h.record(10_000, 100n);
    h.record(5_000, 50n);
    expect(h.size).toBe(1);
  });
});
