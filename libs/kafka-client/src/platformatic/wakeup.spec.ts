import { describe, expect, it } from 'vitest';
import { Wakeup } from './wakeup.js';

describe('Wakeup', () => {
  it('a wake ends the sleep before its time', async () => {
    const w = new Wakeup();
    const began = Date.now();
    const sleeping = w.sleep(10_000);
    w.wake();
    await sleeping;
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it('a wake that came since the noted count ends the next sleep at once', async () => {
    const w = new Wakeup();
    const noted = w.wakes;
    w.wake(); // nobody sleeps: only counted
    const began = Date.now();
    await w.sleep(10_000, noted);
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it('without a noted count, an earlier wake is not kept', async () => {
    const w = new Wakeup();
    w.wake();
    const began = Date.now();
    await w.sleep(30);
    expect(Date.now() - began).toBeGreaterThanOrEqual(25);
  });
});
