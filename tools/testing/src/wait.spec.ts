import { describe, expect, it, vi } from 'vitest';
import { freePort } from './net.js';
import { HUNG_CHECK_GRACE_MS, waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let n = 0;
    expect(await waitFor('n to reach 3', async () => (++n >= 3 ? n : undefined), 1000, 1)).toBe(3);
  });
  it('names what it waited for when time runs out', async () => {
    await expect(waitFor('never', async () => undefined, 20, 5)).rejects.toThrow('timed out after 20 ms waiting for never');
  });
  it('gives up on a check that never answers, shortly after the deadline, and says so', async () => {
    vi.useFakeTimers();
    try {
      const waiting = waitFor('the hung check', () => new Promise<undefined>(() => undefined), 1_000);
      const outcome = expect(waiting).rejects.toThrow('timed out after 1000 ms waiting for the hung check: its check did not answer');
      await vi.advanceTimersByTimeAsync(1_000 + HUNG_CHECK_GRACE_MS);
      await outcome;
    } finally {
      vi.useRealTimers();
    }
  });
  it('waits for a slow check that answers before the deadline', async () => {
    let calls = 0;
    const slow = () => new Promise<number | undefined>((resolve) => setTimeout(() => resolve(++calls === 2 ? calls : undefined), 30));
    expect(await waitFor('the slow check', slow, 1_000, 1)).toBe(2);
  });
});

describe('freePort', () => {
  it('gives a port in the ephemeral range', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
  });
});
