// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
// Jitter"): the delay after the n-th failure is uniform in [0, min(cap, base·2^(n-1))), so
// many consumers retrying the same sick sink spread out instead of hitting it in waves.

export interface RetryPolicy {
  /** Upper bound of the first delay, in ms. */
  baseMs: number;
  /** No delay reaches this, in ms. */
  capMs: number;
  /** Calls in total, the first one included. */
  maxAttempts: number;
}

/** The failure policy of the architecture: base 200 ms, cap 30 s, 5 attempts. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ baseMs: 200, capMs: 30_000, maxAttempts: 5 });

/** setTimeout fires at once for delays above this (2^31-1 ms, ~24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** Throws a RangeError naming the field when a policy cannot work. */
export function assertRetryPolicy(policy: RetryPolicy): void {
  for (const field of ['baseMs', 'capMs'] as const) {
    const value = policy[field];
    if (!Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
      throw new RangeError(`retry policy: ${field} must be a number of ms in [0, ${MAX_TIMER_MS}], got ${String(value)}`);
    }
  }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry policy: maxAttempts must be an integer >= 1, got ${String(policy.maxAttempts)}`);
  }
}

/**
 * The delay before the next call, after the `attempt`-th failure (1-based):
 * floor(random() · min(capMs, baseMs · 2^(attempt-1))).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`backoffDelay: attempt must be an integer >= 1, got ${String(attempt)}`);
  assertRetryPolicy(policy);
  // 2^(attempt-1) overflows to Infinity for large attempts; min() then settles on the cap.
  const ceiling = policy.baseMs === 0 ? 0 : Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  const sample = random();
  if (!(sample >= 0 && sample < 1)) throw new RangeError(`backoffDelay: random() must return a number in [0, 1), got ${String(sample)}`);
  return Math.floor(sample * ceiling);
}
