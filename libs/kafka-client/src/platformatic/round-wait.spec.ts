import { describe, expect, it } from 'vitest';
import { PartitionCursor } from './partition-cursor.js';
import { roundWaitMs } from './round-wait.js';

const cursors = (n: number) => Array.from({ length: n }, (_, p) => new PartitionCursor('t', p, 0n));

describe('roundWaitMs', () => {
  it('long-polls for the whole maxWaitTime when no partition can come free meanwhile', () => {
    expect(roundWaitMs(cursors(3), 1000, 500)).toBe(500);
    expect(roundWaitMs([], 1000, 500)).toBe(500);
  });

  it('does not wait while a batch of any partition is in a handler: its next fetch would queue behind the long poll', () => {
    const all = cursors(3);
    all[1]!.begin(0n);
    expect(roundWaitMs(all, 1000, 500)).toBe(0);
  });

  it('waits at most until the first back-off ends', () => {
    const all = cursors(3);
    all[0]!.retryAt = 1200;
    all[2]!.retryAt = 1100;
    expect(roundWaitMs(all, 1000, 500)).toBe(100);
    expect(roundWaitMs(all, 1300, 500)).toBe(500); // both back-offs are over
  });

  it('a batch that ended frees its partition again', () => {
    const all = cursors(2);
    const ticket = all[0]!.begin(0n);
    all[0]!.end(ticket);
    expect(roundWaitMs(all, 1000, 500)).toBe(500);
  });
});
