import { ConnectionError, MeshError, RateLimitedError, SinkTimeoutError, ValidationError, classify } from '@ingest-mesh/reason-codes';
import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, type RetryPolicy } from './backoff.js';
import { RetryAbortedError, RetryExhaustedError } from './errors.js';
import { retry, type RetryInfo } from './retry.js';

const policy: RetryPolicy = { baseMs: 100, capMs: 1000, maxAttempts: 4 };
const random = () => 0.5;

/** A sleep that returns at once and remembers what it was asked for. */
function recordingSleep() {
  const calls: { ms: number; signal: AbortSignal | undefined }[] = [];
  const sleep = async (ms: number, signal?: AbortSignal) => {
    calls.push({ ms, signal });
  };
  return { sleep, calls };
}

/** fn that throws the given errors in order, then returns 'ok'. */
function failing(...errors: unknown[]) {
  return vi.fn(async (attempt: number) => {
    const error = errors[attempt - 1];
    if (error !== undefined) throw error;
    return 'ok';
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('retry', () => {
  it('returns the first success without sleeping', async () => {
    const { sleep, calls } = recordingSleep();
    const fn = failing();
    await expect(retry(fn, { policy, sleep, random })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith(1);
    expect(calls).toEqual([]);
  });

  it('retries retryable errors with the backoff delays, reporting each to onRetry', async () => {
    const { sleep, calls } = recordingSleep();
    const controller = new AbortController();
    const first = new SinkTimeoutError('statement timeout');
    const second = new ConnectionError('ECONNRESET');
    const retries: RetryInfo[] = [];
    const fn = failing(first, second);

    await expect(retry(fn, { policy, sleep, random, signal: controller.signal, onRetry: (info) => retries.push(info) })).resolves.toBe('ok');

    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
    const expectedDelays = [backoffDelay(1, policy, random), backoffDelay(2, policy, random)];
    expect(expectedDelays).toEqual([50, 100]);
    expect(retries).toEqual([
      { error: first, attempt: 1, delayMs: 50 },
      { error: second, attempt: 2, delayMs: 100 },
    ]);
    expect(calls).toEqual([
      { ms: 50, signal: controller.signal },
      { ms: 100, signal: controller.signal },
    ]);
  });

  it('never retries a programmer error: one call, the same TypeError rethrown', async () => {
    const { sleep, calls } = recordingSleep();
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const fn = failing(bug);
    // Not even when the caller's predicate says everything is retryable.
    expect(await rejectionOf(retry(fn, { policy, sleep, random, isRetryable: () => true }))).toBe(bug);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(calls).toEqual([]);
  });

  it('rethrows a non-retryable MeshError at once, as it is', async () => {
    const { sleep, calls } = recordingSleep();
    const invalid = new ValidationError('amount < 0', { field: 'amount' });
    const onRetry = vi.fn();
    const fn = failing(invalid);
    expect(await rejectionOf(retry(fn, { policy, sleep, random, onRetry }))).toBe(invalid);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  it('unclassified errors are INTERNAL_ERROR, hence not retried', async () => {
    const { sleep } = recordingSleep();
    const odd = new Error('something odd');
    const fn = failing(odd);
    expect(await rejectionOf(retry(fn, { policy, sleep, random }))).toBe(odd);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts calls with RetryExhaustedError carrying attempts and the last code', async () => {
    const { sleep, calls } = recordingSleep();
    const last = new RateLimitedError('HTTP 429');
    const fn = failing(new ConnectionError('a'), new SinkTimeoutError('b'), new ConnectionError('c'), last, new ConnectionError('never thrown'));

    const err = await rejectionOf(retry(fn, { policy, sleep, random }));

    expect(fn).toHaveBeenCalledTimes(policy.maxAttempts);
    expect(calls).toHaveLength(policy.maxAttempts - 1);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    const exhausted = err as RetryExhaustedError;
    expect(exhausted.attempts).toBe(4);
    expect(exhausted.cause).toBe(last);
    expect(exhausted.code).toBe('RATE_LIMITED');
    expect(exhausted.retryable).toBe(true);
    expect(exhausted).toBeInstanceOf(MeshError);
    expect(exhausted.message).toBe('gave up after 4 attempts: RateLimitedError: HTTP 429');
    expect(classify(exhausted)).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it('retries real client errors that classify as retryable (a Node system error)', async () => {
    const { sleep } = recordingSleep();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 });
    const fn = failing(refused, refused);
    await expect(retry(fn, { policy, sleep, random })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('maxAttempts 1 means no retry', async () => {
    const { sleep, calls } = recordingSleep();
    const err = await rejectionOf(retry(failing(new ConnectionError('down')), { policy: { ...policy, maxAttempts: 1 }, sleep, random }));
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as RetryExhaustedError).attempts).toBe(1);
    expect(calls).toEqual([]);
  });

  it('follows a custom isRetryable, both ways', async () => {
    const { sleep } = recordingSleep();
    const down = new ConnectionError('down, and known to stay down');
    expect(await rejectionOf(retry(failing(down), { policy, sleep, random, isRetryable: () => false }))).toBe(down);
    const flaky = failing(new ValidationError('reference data not loaded yet'));
    await expect(retry(flaky, { policy, sleep, random, isRetryable: (e) => e instanceof ValidationError })).resolves.toBe('ok');
    expect(flaky).toHaveBeenCalledTimes(2);
  });

  it("waits at least a sink's retryAfterMs, but never beyond the cap", async () => {
    const { sleep, calls } = recordingSleep();
    const retries: RetryInfo[] = [];
    await retry(failing(new RateLimitedError('429', { retryAfterMs: 700 }), new RateLimitedError('429', { retryAfterMs: 3_600_000 })), {
      policy,
      sleep,
      random,
      onRetry: (info) => retries.push(info),
    });
    expect(retries.map((r) => r.delayMs)).toEqual([700, 1000]);
    expect(calls.map((c) => c.ms)).toEqual([700, 1000]);
  });

  it('rejects a bad policy before calling fn', async () => {
    const fn = failing();
    await expect(retry(fn, { policy: { baseMs: 1, capMs: 1, maxAttempts: 0 } })).rejects.toThrow(RangeError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('lets a sleep failure that is not an abort through', async () => {
    const broken = new Error('timer subsystem broken');
    const fn = failing(new ConnectionError('down'));
    expect(await rejectionOf(retry(fn, { policy, random, sleep: () => Promise.reject(broken) }))).toBe(broken);
  });
});

describe('retry and AbortSignal', () => {
  it('an abort during the sleep ends retry at once with RetryAbortedError', async () => {
    const controller = new AbortController();
    const down = new ConnectionError('down');
    const fn = failing(down, down, down);
    // The real sleep, with a one-minute delay: only a prompt abort lets this test finish.
    const err = await rejectionOf(
      retry(fn, {
        policy: { baseMs: 60_000, capMs: 60_000, maxAttempts: 5 },
        random: () => 0.99,
        signal: controller.signal,
        onRetry: () => setImmediate(() => controller.abort(new Error('SIGTERM'))),
      }),
    );
    expect(err).toBeInstanceOf(RetryAbortedError);
    const aborted = err as RetryAbortedError;
    expect(aborted.attempts).toBe(1);
    expect(aborted.cause).toBe(down);
    expect((aborted.reason as Error).message).toBe('SIGTERM');
    expect(aborted.name).toBe('AbortError');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('an already aborted signal makes no call at all', async () => {
    const fn = failing();
    const err = await rejectionOf(retry(fn, { signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(RetryAbortedError);
    expect((err as RetryAbortedError).attempts).toBe(0);
    expect(fn).not.toHaveBeenCalled();
  });

  it('an abort during a call does not sleep: the call’s error becomes the cause', async () => {
    const { sleep, calls } = recordingSleep();
    const controller = new AbortController();
    const fn = vi.fn(async () => {
      controller.abort();
      throw controller.signal.reason; // what an abort-aware client throws: a (retryable) AbortError
    });
    const err = await rejectionOf(retry(fn, { policy, sleep, random, signal: controller.signal }));
    expect(err).toBeInstanceOf(RetryAbortedError);
    expect((err as RetryAbortedError).attempts).toBe(1);
    expect((err as RetryAbortedError).cause).toBe(controller.signal.reason);
    expect(calls).toEqual([]);
  });

  it('a sleep that ignores the signal still cannot start another call', async () => {
    const controller = new AbortController();
    const fn = failing(new ConnectionError('down'), new ConnectionError('down'));
    const err = await rejectionOf(
      retry(fn, {
        policy,
        random,
        signal: controller.signal,
        sleep: async () => controller.abort(),
      }),
    );
    expect(err).toBeInstanceOf(RetryAbortedError);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
