// What a failed registry call means for a record. 404s are decided by the caller (unknown id
// vs unknown subject); everything else is classified: no answer → ConnectionError (retryable).
import { ConnectionError, InternalError, MeshError, classify } from '@ingest-mesh/reason-codes';

const REACHABILITY_CODES: ReadonlySet<string> = new Set(['CONNECTION_ERROR', 'SINK_TIMEOUT', 'RATE_LIMITED']);

export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The registry's failure as a MeshError: ConnectionError when it could not be reached or is unwell. */
export function registryFailure(err: unknown, action: string): MeshError {
  if (err instanceof MeshError) return err;
  const verdict = classify(err);
  if (REACHABILITY_CODES.has(verdict.code)) {
    return new ConnectionError(`schema registry unavailable while ${action}: ${verdict.message}`, { cause: err, retryable: verdict.retryable });
  }
  return new InternalError(`schema registry failed while ${action}: ${verdict.message}`, { cause: err });
}
