import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryAbortedError } from './errors.js';
import { abortableSleep } from './sleep.js';

describe('abortableSleep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves after ms, not before', async () => {
    let done = false;
    const sleeping = abortableSleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('rejects with an AbortError-named RetryAbortedError when the signal aborts mid-sleep, and clears its timer', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    const reason = new Error('shutting down');
    controller.abort(reason);
    const err = await sleeping.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAbortedError);
    expect((err as RetryAbortedError).name).toBe('AbortError');
    expect((err as RetryAbortedError).reason).toBe(reason);
    expect((err as RetryAbortedError).attempts).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal has already aborted', async () => {
    await expect(abortableSleep(60_000, AbortSignal.abort())).rejects.toBeInstanceOf(RetryAbortedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects negative, non-finite and too large delays', async () => {
    await expect(abortableSleep(-1)).rejects.toThrow(RangeError);
    await expect(abortableSleep(Number.NaN)).rejects.toThrow(RangeError);
    await expect(abortableSleep(2 ** 31)).rejects.toThrow(RangeError);
  });
});
