import { describe, expect, it } from 'vitest';
import { PartitionCursor } from './partition-cursor.js';

describe('PartitionCursor', () => {
  it('moves past the last resolved offset when a batch ends', () => {
    const c = new PartitionCursor('t', 0, 10n);
    const ticket = c.begin(10n);
    expect(c.busy).toBe(true);
    c.resolve(ticket, 10n);
    c.resolve(ticket, 12n);
    c.resolve(ticket, 11n); // out of order: the furthest one counts
    expect(c.resolvedOffset(ticket)).toBe(13n);
    c.end(ticket);
    expect([c.next, c.busy]).toEqual([13n, false]);
  });

  it('fetches a batch again from its first record when nothing was resolved', () => {
    const c = new PartitionCursor('t', 0, 10n);
    const ticket = c.begin(10n);
    c.end(ticket);
    expect(c.next).toBe(10n);
  });

  it('a handled prefix: the rest comes again from the first unhandled offset', () => {
    const c = new PartitionCursor('t', 0, 0n);
    const ticket = c.begin(0n);
    for (const o of [0n, 1n, 2n]) c.resolve(ticket, o);
    c.end(ticket);
    expect(c.next).toBe(3n);
  });

  it('a seek makes the batch in progress stale: its resolves and its end no longer move the cursor', () => {
    const c = new PartitionCursor('t', 0, 10n);
    const ticket = c.begin(10n);
    c.seek(3n);
    expect(c.isStale(ticket)).toBe(true);
    c.resolve(ticket, 20n);
    expect(c.resolvedOffset(ticket)).toBeUndefined();
    c.end(ticket);
    expect([c.next, c.busy]).toEqual([3n, false]);
  });

  it('a revoked partition goes stale without moving', () => {
    const c = new PartitionCursor('t', 0, 10n);
    const ticket = c.begin(10n);
    c.revoke();
    c.resolve(ticket, 15n);
    c.end(ticket);
    expect([c.next, c.isStale(ticket)]).toEqual([10n, true]);
  });
});
