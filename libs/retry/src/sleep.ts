import { MAX_TIMER_MS } from './backoff.js';
import { RetryAbortedError } from './errors.js';

/**
 * Resolves after `ms`, or rejects with a RetryAbortedError (name "AbortError", attempts 0,
 * reason = signal.reason) as soon as the signal aborts — at once if it already has.
 * The timer keeps the process alive: a retry in progress is work in progress.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    return Promise.reject(new RangeError(`abortableSleep: ms must be in [0, ${MAX_TIMER_MS}], got ${String(ms)}`));
  }
  if (signal?.aborted) return Promise.reject(new RetryAbortedError(0, undefined, signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RetryAbortedError(0, undefined, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
