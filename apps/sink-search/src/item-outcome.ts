// One bulk item's result → the record's outcome. Version conflicts need the document's current
// version: from the error's reason when the engine states it, else from a lookup (resolved by the
// caller), hence the 'conflict' intermediate.
import { ConnectionError, PayloadTooLargeError, RateLimitedError, ValidationError } from '@ingest-mesh/reason-codes';
import type { BulkItem, BulkItemResult } from './search-backend.js';
import type { SinkOutcome } from './sink-types.js';

export type ItemVerdict = SinkOutcome | { status: 'conflict'; currentVersion: number | undefined };

const VALIDATION_TYPES = new Set([
  'mapper_parsing_exception',
  'document_parsing_exception',
  'illegal_argument_exception',
  'strict_dynamic_mapping_exception',
  'parse_exception',
  'invalid_index_name_exception',
]);

/** "[id]: version conflict, current version [7] is higher or equal to the one provided [5]". */
export function currentVersionFromReason(reason: string | undefined): number | undefined {
  const match = reason === undefined ? null : /current version \[(\d+)\]/.exec(reason);
  return match ? Number(match[1]) : undefined;
}

/** Outcome of a conflicting item once the document's current version is known (or not). */
export function conflictOutcome(revision: number, currentVersion: number | undefined): SinkOutcome {
  if (currentVersion === revision) return { status: 'noop', why: 'equal-revision' };
  // The engine refused it, so the stored version is at least this one; unknown → a lower bound.
  return { status: 'older-revision', currentRevision: currentVersion !== undefined && currentVersion > revision ? currentVersion : revision + 1 };
}

export function itemVerdict(item: BulkItem, result: BulkItemResult): ItemVerdict {
  const { status } = result;
  if (status >= 200 && status < 300) return { status: 'written' };
  // Deleting a document that is not there still records the external version (a tombstone).
  if (status === 404 && item.action === 'delete' && result.errorType === undefined) return { status: 'written' };
  const what = `${item.action} ${item.index}/${item.id} (revision ${item.version})`;
  const detail = `${result.errorType ?? `HTTP ${status}`}: ${result.errorReason ?? 'no reason given'}`;
  if (status === 409 || result.errorType === 'version_conflict_engine_exception') {
    return { status: 'conflict', currentVersion: currentVersionFromReason(result.errorReason) };
  }
  if (status === 429) return { status: 'failed', error: new RateLimitedError(`search engine rejected ${what}: ${detail}`) };
  if (status === 413) return { status: 'failed', error: new PayloadTooLargeError(`search engine rejected ${what}: ${detail}`) };
  if (status === 400 || (result.errorType !== undefined && VALIDATION_TYPES.has(result.errorType))) {
    return { status: 'failed', error: new ValidationError(`search engine refused ${what}: ${detail}`, { rule: result.errorType ?? 'search-mapping' }) };
  }
  if (status === 401 || status === 403) {
    return { status: 'failed', error: new ConnectionError(`search engine denied ${what}: ${detail}`, { retryable: false }) };
  }
  if (status >= 500) return { status: 'failed', error: new ConnectionError(`search engine failed ${what}: ${detail}`) };
  // Any other 4xx (index missing, closed…) is a problem of this document's target, not of the engine.
  return { status: 'failed', error: new ValidationError(`search engine refused ${what}: ${detail}`, { rule: result.errorType ?? 'search-http' }) };
}
