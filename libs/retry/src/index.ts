export { DEFAULT_RETRY_POLICY, MAX_TIMER_MS, assertRetryPolicy, backoffDelay, type RetryPolicy } from './backoff.js';
export { RetryAbortedError, RetryExhaustedError } from './errors.js';
export { retry, retryDelay, defaultIsRetryable, type RetryInfo, type RetryOptions } from './retry.js';
export { abortableSleep } from './sleep.js';
