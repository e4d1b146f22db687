import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('runs at most `concurrency` jobs at once, in arrival order, and reports idle', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const queue = new WorkQueue<number>(
      2,
      async (job) => {
        started.push(job);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
      () => undefined,
    );
    for (const job of [1, 2, 3, 4, 5]) queue.push(job);
    await queue.idle();
    expect([started, peak, running]).toEqual([[1, 2, 3, 4, 5], 2, 0]);
  });

  it('a failing job neither stops the queue nor the idle wait', async () => {
    const done: number[] = [];
    const queue = new WorkQueue<number>(
      1,
      async (job) => {
        if (job === 1) throw new Error('boom');
        done.push(job);
      },
      () => undefined,
    );
    queue.push(1);
    queue.push(2);
    await queue.idle();
    expect(done).toEqual([2]);
  });
});
