import { MeshError } from '@ingest-mesh/reason-codes';

export type IdempotencyOperation = 'reserve' | 'commit' | 'release';

/**
 * The dedupe store could not answer (unreachable, timed out, restarting, still loading its data).
 * CONNECTION_ERROR and retryable: with whenRedisDown 'fail-closed' the runtime pauses and retries.
 */
export class IdempotencyUnavailableError extends MeshError {
  readonly operation: IdempotencyOperation;
  readonly keyCount: number;

  constructor(operation: IdempotencyOperation, keyCount: number, options: { cause?: unknown } = {}) {
    super('CONNECTION_ERROR', `idempotency store unavailable: ${operation} of ${keyCount} key(s) failed: ${causeText(options.cause)}`, options);
    this.operation = operation;
    this.keyCount = keyCount;
  }
}

function causeText(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? 'unknown cause' : String(cause);
}
