// The search sink: each batch is collapsed to one action per document (sink-kit's
// collapseRevisions: the highest revision, the last of equal ones; the others are noop
// 'superseded-in-batch'), cut into bulk requests by count and bytes (sink-kit's chunkBy), sent
// with the revision as an external version (the engine is the revision guard), and each item's
// result becomes the record's outcome. Conflicts whose current version the engine did not state are
// resolved with one lookup for the batch. Before the first document of an entity type / schema
// id, its mappings are applied (entity-mappings.ts). Engine requests of all partitions together
// are bounded by maxInFlight (the runner writes partitions in parallel).
import { Semaphore } from '@ingest-mesh/backpressure';
import { InternalError } from '@ingest-mesh/reason-codes';
import { chunkBy, collapseRevisions } from '@ingest-mesh/sink-kit';
import { toDocument } from './document.js';
import { EntityMappings, type MappingIssue, type SchemaSource } from './entity-mappings.js';
import { indexName } from './index-name.js';
import { conflictOutcome, itemVerdict, type ItemVerdict } from './item-outcome.js';
import { bulkItemBytes, docKey, type BulkItem, type SearchBackend } from './search-backend.js';
import type { Sink, SinkHealth, SinkOutcome, SinkRecordIn } from './sink-types.js';

export interface SearchSinkOptions {
  backend: SearchBackend;
  /** Prepended to every index name. Default mesh-. */
  indexPrefix?: string;
  /** Items per bulk request. Default 2000. */
  bulkMaxItems?: number;
  /** NDJSON bytes per bulk request. Default 5 MiB. */
  bulkMaxBytes?: number;
  /** Bulk and lookup requests in flight at once, across every partition's batches. Default 2. */
  maxInFlight?: number;
  /** The schemas of payloadSchemaIds, for the mappings. Without it the engine maps dynamically. */
  schemas?: SchemaSource;
  /** Called for every mapping issue (refused mapping, unusable schema); they are in health details too. */
  onMappingIssue?: (issue: MappingIssue) => void;
}

export class SearchSink implements Sink {
  readonly name = 'search';
  readonly indexPrefix: string;
  private readonly bulkMaxItems: number;
  private readonly bulkMaxBytes: number;
  private readonly inFlight: Semaphore;
  private readonly mappings: EntityMappings | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SearchSinkOptions) {
    this.indexPrefix = options.indexPrefix ?? 'mesh-';
    this.bulkMaxItems = options.bulkMaxItems ?? 2000;
    this.bulkMaxBytes = options.bulkMaxBytes ?? 5 * 1024 * 1024;
    chunkBy([], { maxCount: this.bulkMaxItems, maxBytes: this.bulkMaxBytes, sizeOf: bulkItemBytes }); // refuses unusable limits now, not per batch
    const maxInFlight = options.maxInFlight ?? 2;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${maxInFlight}`);
    this.inFlight = new Semaphore(maxInFlight);
    this.mappings =
      options.schemas === undefined
        ? undefined
        : new EntityMappings({ schemas: options.schemas, backend: options.backend, ...(options.onMappingIssue ? { onIssue: options.onMappingIssue } : {}) });
  }

  connect(): Promise<void> {
    return this.options.backend.connect();
  }

  indexFor(record: Pick<SinkRecordIn, 'tenant' | 'entityType'>): string {
    return indexName(this.indexPrefix, record.tenant, record.entityType);
  }

  async writeBatch(records: readonly SinkRecordIn[], ctx: { signal: AbortSignal }): Promise<SinkOutcome[]> {
    const outcomes = new Array<SinkOutcome | undefined>(records.length);
    const items = records.map((r) => this.toItem(r));
    // Per document (index, id), not per Kafka key: two keys can name one document (tenants that
    // differ only in case share an index), and a bulk must hold one action per document.
    const { write, superseded } = collapseRevisions(records, (_, i) => docKey(items[i]!));
    for (const s of superseded) outcomes[s.index] = s.outcome;
    await this.ensureMappings(
      write.map((w) => w.record),
      ctx.signal,
    );

    const verdicts = new Map<number, ItemVerdict>();
    const positioned = write.map((w) => ({ ...items[w.index]!, position: w.index }));
    for (const part of chunkBy(positioned, { maxCount: this.bulkMaxItems, maxBytes: this.bulkMaxBytes, sizeOf: bulkItemBytes })) {
      ctx.signal.throwIfAborted();
      const results = await this.limited(ctx.signal, () => this.options.backend.bulk(part, { signal: ctx.signal }));
      if (results.length !== part.length) throw new InternalError(`bulk answered ${results.length} items for ${part.length}`);
      part.forEach((item, j) => verdicts.set(item.position, itemVerdict(item, results[j]!)));
    }

    const unknown = [...verdicts].filter(([, v]) => v.status === 'conflict' && v.currentVersion === undefined).map(([i]) => i);
    const looked =
      unknown.length > 0
        ? await this.limited(ctx.signal, () =>
            this.options.backend.currentVersions(
              unknown.map((i) => items[i]!),
              { signal: ctx.signal },
            ),
          )
        : new Map<string, number>();
    for (const [i, verdict] of verdicts) {
      if (verdict.status !== 'conflict') {
        outcomes[i] = verdict;
        continue;
      }
      const current = verdict.currentVersion ?? looked.get(docKey(items[i]!));
      outcomes[i] = conflictOutcome(records[i]!.revision, current);
    }
    return outcomes.map((o) => o ?? { status: 'failed', error: new InternalError('no outcome computed for this record (a bug in the bulk mapping)') });
  }

  close(): Promise<void> {
    this.closing ??= this.options.backend.close();
    return this.closing;
  }

  async health(): Promise<SinkHealth> {
    const backend = await this.options.backend.health();
    // Mapping issues do not make the sink unhealthy: the writes go on; they are there to be seen.
    return {
      ...backend,
      details: {
        ...backend.details,
        inFlight: { limit: this.inFlight.limit, active: this.inFlight.inFlight, waiting: this.inFlight.waiting },
        ...(this.mappings === undefined ? {} : { mappings: this.mappings.details() }),
      },
    };
  }

  /** Mappings of the upserts' (entity type, schema id) pairs; a retryable error thrown here fails the batch. */
  private async ensureMappings(records: readonly SinkRecordIn[], signal: AbortSignal): Promise<void> {
    if (this.mappings === undefined) return;
    const pairs = records.flatMap((r) => (r.op === 'upsert' && r.payloadSchemaId !== null ? [{ entityType: r.entityType, schemaId: r.payloadSchemaId }] : []));
    if (pairs.length > 0) await this.mappings.ensure(pairs, signal);
  }

  private async limited<T>(signal: AbortSignal, request: () => Promise<T>): Promise<T> {
    const release = await this.inFlight.acquire(signal);
    try {
      return await request();
    } finally {
      release();
    }
  }

  private toItem(record: SinkRecordIn): BulkItem {
    const index = this.indexFor(record);
    if (record.op === 'delete') return { action: 'delete', index, id: record.id, version: record.revision };
    return { action: 'index', index, id: record.id, version: record.revision, doc: toDocument(record) };
  }
}
