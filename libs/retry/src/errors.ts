// The two ways retry() ends without a result, besides rethrowing a non-retryable error.
import { MeshError, boundedMessage, classify } from '@ingest-mesh/reason-codes';

/**
 * Every attempt failed with a retryable error. A MeshError whose code is the last error's,
 * and retryable: the record goes to the DLQ with retryable=true and the redriver tries later.
 */
export class RetryExhaustedError extends MeshError {
  declare readonly retryable: true;
  readonly attempts: number;
  /** The last error. */
  declare readonly cause: unknown;

  constructor(attempts: number, lastError: unknown) {
    super(classify(lastError).code, `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${boundedMessage(lastError, 512)}`, {
      cause: lastError,
      retryable: true,
    });
    this.attempts = attempts;
  }
}

/**
 * The signal aborted (shutdown, drain, rebalance) before a result. Named "AbortError", like
 * the errors of fetch() and timers/promises, so generic abort handling recognises it.
 * This is no failure of the record: do not dead-letter it; it is processed again after restart.
 */
export class RetryAbortedError extends Error {
  /** Calls made before the abort. */
  readonly attempts: number;
  /** The last error of those calls, or undefined when none failed yet. */
  declare readonly cause: unknown;
  /** The signal's reason. */
  readonly reason: unknown;

  constructor(attempts: number, lastError: unknown, reason: unknown) {
    super(`aborted after ${attempts} attempt${attempts === 1 ? '' : 's'}`, { cause: lastError });
    this.name = 'AbortError';
    this.attempts = attempts;
    this.reason = reason;
  }
}
