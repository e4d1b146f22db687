// retry(fn): call fn until it succeeds, a non-retryable error occurs, the attempts run out or
// the signal aborts. Between calls it sleeps a full-jitter backoff delay.
import { classify, isProgrammerError } from '@ingest-mesh/reason-codes';
import { DEFAULT_RETRY_POLICY, assertRetryPolicy, backoffDelay, type RetryPolicy } from './backoff.js';
import { RetryAbortedError, RetryExhaustedError } from './errors.js';
import { abortableSleep } from './sleep.js';

export interface RetryInfo {
  /** The error of the call that just failed. */
  error: unknown;
  /** Which call failed (1-based). */
  attempt: number;
  /** How long retry() now sleeps before the next call. */
  delayMs: number;
}

export interface RetryOptions {
  policy?: RetryPolicy;
  /** Aborting stops retrying at once, mid-sleep included, with a RetryAbortedError. */
  signal?: AbortSignal;
  /** Which errors are worth another call. Default: classify(err).retryable. Programmer errors are never retried, whatever this says. */
  isRetryable?: (err: unknown) => boolean;
  /** Called before each sleep: count retries (ingest_retry_total{reason}), log them. */
  onRetry?: (info: RetryInfo) => void;
  /** Injectable for tests. Must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable for tests: numbers in [0, 1). */
  random?: () => number;
}

export function defaultIsRetryable(err: unknown): boolean {
  return !isProgrammerError(err) && classify(err).retryable;
}

/** A sink's Retry-After (RateLimitedError.retryAfterMs), when it gave one. */
function retryAfterMs(err: unknown): number | undefined {
  const value = typeof err === 'object' && err !== null ? (err as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The delay before trying again after `err` failed the `attempt`-th call: the jittered backoff,
 * but never shorter than the sink asked us to wait (RateLimitedError.retryAfterMs), capped by the
 * policy's cap so a hostile Retry-After cannot park the partition for hours. Every retry loop of
 * the mesh waits this long (retry() here, the runtime's in-place record retries).
 */
export function retryDelay(err: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const backoff = backoffDelay(attempt, policy, random);
  const askedFor = retryAfterMs(err);
  return askedFor === undefined ? backoff : Math.max(backoff, Math.min(Math.ceil(askedFor), policy.capMs));
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  assertRetryPolicy(policy);
  const { signal, onRetry } = options;
  const isRetryable = options.isRetryable ?? defaultIsRetryable;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;

  let lastError: unknown = undefined;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new RetryAbortedError(attempt - 1, lastError, signal.reason);
    try {
      return await fn(attempt);
    } catch (error) {
      lastError = error;
      if (isProgrammerError(error) || !isRetryable(error)) throw error;
      if (attempt >= policy.maxAttempts) throw new RetryExhaustedError(attempt, error);
      if (signal?.aborted) throw new RetryAbortedError(attempt, error, signal.reason);
      const delayMs = retryDelay(error, attempt, policy, random);
      onRetry?.({ error, attempt, delayMs });
      try {
        await sleep(delayMs, signal);
      } catch (sleepError) {
        if (signal?.aborted) throw new RetryAbortedError(attempt, error, signal.reason);
        throw sleepError;
      }
    }
  }
}
