// What the search sink needs from a search engine: one bulk call with per-item results, the
// current version of a few documents, and an entity type's mappings. OpenSearch implements it
// (opensearch-backend.ts); the unit tests use a fake.
import type { MappingProperties } from './avro-mapping.js';

/** One action of a bulk request, guarded by the record's revision as an external version. */
export interface BulkItem {
  action: 'index' | 'delete';
  index: string;
  id: string;
  /** The record's revision, sent as `version` with `version_type: external`. */
  version: number;
  /** The document for `index`; absent for `delete`. */
  doc?: Record<string, unknown>;
}

/** The engine's answer for one item, in request order. */
export interface BulkItemResult {
  status: number;
  /** The engine's error type (`version_conflict_engine_exception`, `mapper_parsing_exception`…). */
  errorType?: string;
  errorReason?: string;
  /** The document's version after the item (success), when the engine reports it. */
  version?: number;
  /** For a delete: the document was not there (`not_found`), still a success. */
  result?: string;
}

export interface DocRef {
  index: string;
  id: string;
}

export interface BackendHealth {
  ok: boolean;
  details?: Record<string, unknown>;
}

/** A mapping the engine refused (a conflict with an existing field's type…); the writes go on. */
export interface MappingRefusal {
  /** The template or index that refused it. */
  target: string;
  reason: string;
}

export interface SearchBackend {
  connect(): Promise<void>;
  /** One request. Throws when the request as a whole fails (unreachable, timeout, 5xx for the request). */
  bulk(items: readonly BulkItem[], opts?: { signal?: AbortSignal }): Promise<BulkItemResult[]>;
  /** Current versions of documents (one request); a missing document has no entry. Keyed by docKey(). */
  currentVersions(refs: readonly DocRef[], opts?: { signal?: AbortSignal }): Promise<Map<string, number>>;
  /**
   * Puts the entity type's index template with these properties (new indexes get them) and adds
   * them to its existing indexes (additive). What the engine refuses is returned, not thrown;
   * throws when the engine cannot be reached.
   */
  applyEntityMapping(entityType: string, properties: MappingProperties, opts?: { signal?: AbortSignal }): Promise<MappingRefusal[]>;
  /** Idempotent. */
  close(): Promise<void>;
  health(): Promise<BackendHealth>;
}

/** The map key of one document. */
export function docKey(ref: DocRef): string {
  return `${ref.index}\u0000${ref.id}`;
}

/** The bytes one item adds to a bulk request's NDJSON body: its action line and, for `index`, its document line. */
export function bulkItemBytes(item: BulkItem): number {
  const action = JSON.stringify({ [item.action]: { _index: item.index, _id: item.id, version: item.version, version_type: 'external' } });
  const doc = item.doc === undefined ? 0 : Buffer.byteLength(JSON.stringify(item.doc)) + 1;
  return Buffer.byteLength(action) + 1 + doc;
}
