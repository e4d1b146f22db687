// What a sink's outcome means to the runtime: written and no-op records are done (committed),
// an older revision is dead-lettered as OLDER_REVISION (non-retryable; SinkHandler skips it
// instead when the sink is set to skip them), and a failure is classified by its error: retried
// in place when retryable, dead-lettered when not.
import type { RecordOutcome } from '@ingest-mesh/kafka-runtime';
import { InternalError, OlderRevisionError } from '@ingest-mesh/reason-codes';
import type { SinkOutcome, SinkRecordIn } from './sink.js';

export function toRecordOutcome(record: SinkRecordIn, outcome: SinkOutcome): RecordOutcome {
  switch (outcome?.status) {
    case 'written':
      return { status: 'done', effect: 'written' };
    case 'noop':
      return { status: 'done', effect: 'skipped' };
    case 'older-revision':
      return {
        status: 'failed',
        error: withoutStack(
          () =>
            new OlderRevisionError(
              `${record.tenant}:${record.entityType}:${record.id} revision ${record.revision} is older than revision ${outcome.currentRevision} already in the sink; not applied`,
            ),
        ),
      };
    case 'failed':
      return { status: 'failed', error: outcome.error };
    default:
      return { status: 'failed', error: new InternalError(`the sink returned an outcome without a known status: ${describe(outcome)}`) };
  }
}

/** One outcome per record, or every record failed with an InternalError when the counts differ. */
export function toRecordOutcomes(sinkName: string, records: readonly SinkRecordIn[], outcomes: readonly SinkOutcome[]): RecordOutcome[] {
  if (!Array.isArray(outcomes) || outcomes.length !== records.length) {
    const got = Array.isArray(outcomes) ? `${outcomes.length} outcomes` : describe(outcomes);
    const error = new InternalError(`sink ${sinkName} returned ${got} for ${records.length} records`);
    return records.map(() => ({ status: 'failed', error }));
  }
  return records.map((record, n) => toRecordOutcome(record, outcomes[n]!));
}

/**
 * An error built without capturing a stack trace: an older revision is a verdict on the data, not
 * a fault of the code, and a replay can bring thousands a round (the capture is most of its cost).
 */
function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 100) ?? String(value);
  } catch {
    return String(value);
  }
}
