import { describe, expect, it } from 'vitest';
import { ReplayGuard } from './replay-guard.js';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('ReplayGuard', () => {
  it('admits a command id once and refuses its replay within the validity window', () => {
    let now = 1_000;
    const guard = new ReplayGuard({ maxSkewMs: 100, now: () => now });
    const cmd = { id: id(1), expiresAt: 2_000 };
    expect(guard.admit(cmd)).toBe(true);
    expect(guard.admit(cmd)).toBe(false);
    now = 2_100; // expiresAt + skew: verifyCommand would still accept it, so the guard must too remember it
    expect(guard.admit(cmd)).toBe(false);
    expect(guard.has(cmd.id)).toBe(true);
  });

  it('forgets an id once its command can no longer verify', () => {
    let now = 1_000;
    const guard = new ReplayGuard({ maxSkewMs: 100, now: () => now });
    guard.admit({ id: id(1), expiresAt: 2_000 });
    now = 2_101;
    expect(guard.has(id(1))).toBe(false);
    expect(guard.admit({ id: id(1), expiresAt: 5_000 })).toBe(true);
  });

  it('never holds more than maxEntries ids, dropping expired ones first', () => {
    let now = 0;
    const guard = new ReplayGuard({ maxEntries: 3, maxSkewMs: 0, now: () => now });
    guard.admit({ id: id(1), expiresAt: 10_000 });
    guard.admit({ id: id(2), expiresAt: 50 }); // expires early
    guard.admit({ id: id(3), expiresAt: 10_000 });
    now = 100;
    expect(guard.admit({ id: id(4), expiresAt: 10_000 })).toBe(true);
    expect(guard.size).toBe(3);
    expect(guard.has(id(1))).toBe(true); // the expired id 2 made room, not the oldest
    expect(guard.admit({ id: id(5), expiresAt: 10_000 })).toBe(true);
    expect(guard.size).toBe(3);
    expect(guard.has(id(1))).toBe(false); // all valid: the oldest admitted is dropped
    expect([3, 4, 5].every((n) => guard.has(id(n)))).toBe(true);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new ReplayGuard({ maxEntries: 0 })).toThrow(RangeError);
  });
});
