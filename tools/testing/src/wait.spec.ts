import { describe, expect, it } from 'vitest';
import { freePort } from './net.js';
import { waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let n = 0;
    expect(await waitFor('n to reach 3', async () => (++n >= 3 ? n : undefined), 1000, 1)).toBe(3);
  });
  it('names what it waited for when time runs out', async () => {
    await expect(waitFor('never', async () => undefined, 20, 5)).rejects.toThrow('timed out after 20 ms waiting for never');
  });
});

describe('freePort', () => {
  it('gives a port in the ephemeral range', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
  });
});
