// Which failures say "the downstream is unwell" (and may open the breaker) rather than "this
// record is bad". Only the former count: a burst of invalid records must never stop a sink.
import { classify, type ReasonCode } from '@ingest-mesh/reason-codes';

export const INFRASTRUCTURE_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['CONNECTION_ERROR', 'SINK_TIMEOUT']);

/** Default breaker predicate: the error classifies as CONNECTION_ERROR or SINK_TIMEOUT. */
export function isInfrastructureFailure(err: unknown): boolean {
  return INFRASTRUCTURE_REASONS.has(classify(err).code);
}
