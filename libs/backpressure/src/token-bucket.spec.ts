import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from './token-bucket.js';

function manualClock(startMs = 1_000) {
  let ms = startMs;
  return { now: () => ms, advance: (by: number) => (ms += by), set: (to: number) => (ms = to) };
}

describe('TokenBucket (pure paths, injected clock)', () => {
  it('starts full and grants up to the burst at once', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5, now: clock.now });
    expect(bucket.available).toBe(5);
    expect(bucket.tryTake(3)).toBe(true);
    expect(bucket.tryTake(2)).toBe(true);
    expect(bucket.tryTake(1)).toBe(false);
    expect(bucket.available).toBe(0);
  });

  it('refills at the rate and never above the burst', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5, now: clock.now });
    bucket.tryTake(5);
    clock.advance(250);
    expect(bucket.available).toBeCloseTo(2.5, 9);
    clock.advance(60_000);
    expect(bucket.available).toBe(5);
  });

  it('says how long to wait, in whole milliseconds rounded up', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSec: 3, burst: 3, now: clock.now });
    bucket.tryTake(3);
    const wait = bucket.msUntilAvailable(1);
    expect(wait).toBe(334); // 1000 / 3 = 333.33…
    clock.advance(wait - 1);
    expect(bucket.tryTake(1)).toBe(false);
    clock.advance(1);
    expect(bucket.msUntilAvailable(1)).toBe(0);
    expect(bucket.tryTake(1)).toBe(true);
  });

  it('answers Infinity for more than the burst, and tryTake refuses it', () => {
    const bucket = new TokenBucket({ ratePerSec: 100, burst: 4, now: manualClock().now });
    expect(bucket.msUntilAvailable(5)).toBe(Infinity);
    expect(bucket.tryTake(5)).toBe(false);
    expect(bucket.available).toBe(4);
  });

  it('taking 0 always succeeds and costs nothing', () => {
    const bucket = new TokenBucket({ ratePerSec: 1, burst: 1, now: manualClock().now });
    bucket.tryTake(1);
    expect(bucket.msUntilAvailable(0)).toBe(0);
    expect(bucket.tryTake(0)).toBe(true);
    expect(bucket.available).toBe(0);
  });

  it('ignores a clock that steps back, and does not pay the same time twice', () => {
    const clock = manualClock(10_000);
    const bucket = new TokenBucket({ ratePerSec: 1, burst: 10, now: clock.now });
    bucket.tryTake(10);
    clock.set(5_000);
    expect(bucket.available).toBe(0);
    clock.set(12_000); // 2 s after the last real mark
    expect(bucket.available).toBeCloseTo(2, 9);
  });

  it('setRate keeps the tokens earned at the old rate and earns at the new rate from then on', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSec: 2, burst: 100, now: clock.now });
    bucket.tryTake(100);
    clock.advance(1_000);
    bucket.setRate(10);
    expect(bucket.ratePerSec).toBe(10);
    expect(bucket.available).toBeCloseTo(2, 9);
    clock.advance(1_000);
    expect(bucket.available).toBeCloseTo(12, 9);
  });

  it('rejects nonsense options and counts', () => {
    const now = manualClock().now;
    expect(() => new TokenBucket({ ratePerSec: 0, burst: 1, now })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSec: Number.NaN, burst: 1, now })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSec: 1, burst: 0, now })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSec: 1, burst: Infinity, now })).toThrow(RangeError);
    const bucket = new TokenBucket({ ratePerSec: 1, burst: 1, now });
    expect(() => bucket.tryTake(-1)).toThrow(RangeError);
    expect(() => bucket.msUntilAvailable(Number.NaN)).toThrow(RangeError);
    expect(() => bucket.setRate(-5)).toThrow(RangeError);
  });
});

describe('TokenBucket.take (waits with a timer)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function bucket(ratePerSec: number, burst: number): TokenBucket {
    return new TokenBucket({ ratePerSec, burst, now: () => Date.now() });
  }

  it('resolves at once when tokens are there', async () => {
    const b = bucket(1, 2);
    await b.take(2);
    expect(b.available).toBe(0);
  });

  it('waits exactly as long as msUntilAvailable says', async () => {
    const b = bucket(10, 5);
    b.tryTake(5);
    let done = false;
    const taken = b.take(3).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await taken;
    expect(done).toBe(true);
    expect(b.available).toBeCloseTo(0, 9);
  });

  it('serves waiters first come, first served: a small request waits behind a big one', async () => {
    const b = bucket(10, 10);
    b.tryTake(10);
    const order: string[] = [];
    const big = b.take(10).then(() => order.push('big'));
    const small = b.take(1).then(() => order.push('small'));
    expect(b.waiting).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(order).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await big;
    expect(order).toEqual(['big']);
    await vi.advanceTimersByTimeAsync(100);
    await small;
    expect(order).toEqual(['big', 'small']);
  });

  it('a raised rate wakes waiters early', async () => {
    const b = bucket(1, 5);
    b.tryTake(5);
    let done = false;
    const taken = b.take(5).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_000); // 1 token earned
    b.setRate(100); // 4 more need 40 ms
    await vi.advanceTimersByTimeAsync(40);
    await taken;
    expect(done).toBe(true);
  });

  it('rejects with the abort reason, leaves the queue, and lets the next waiter through', async () => {
    const b = bucket(10, 10);
    b.tryTake(10);
    const controller = new AbortController();
    const big = b.take(10, controller.signal);
    const small = b.take(1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(big).rejects.toBe(reason);
    expect(b.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await small;
    expect(b.waiting).toBe(0);
  });

  it('rejects an already-aborted signal without taking anything', async () => {
    const b = bucket(1, 1);
    const signal = AbortSignal.abort();
    await expect(b.take(1, signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(b.available).toBe(1);
  });

  it('rejects more than the burst at once instead of waiting forever', async () => {
    await expect(bucket(1, 3).take(4)).rejects.toBeInstanceOf(RangeError);
  });
});
