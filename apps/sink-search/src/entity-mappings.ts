// Mappings from the schemas: the first time this process sees an entity type with a
// payloadSchemaId, it fetches that schema, derives the properties (avro-mapping.ts) and has the
// backend put the entity type's template and add the fields to its existing indexes — before the
// batch's documents are written, so no index is created with guessed types.
//
// Failure policy:
// - The schema cannot be fetched because the registry is unreachable → a retryable
//   ConnectionError, thrown by writeBatch (the runner retries, the breaker may open). Writing
//   anyway would let the engine guess the types of a new index, which can never be corrected.
// - The engine cannot be reached → its error is thrown as well (the bulk would fail too).
// - The registry does not know the id, or the schema is not usable → recorded, the entity type
//   stays on dynamic mapping for that id (ids are immutable: asking again cannot help).
// - The engine refuses a mapping (a field an existing index already holds with another type) →
//   recorded (health details, onIssue), the writes go on; documents that do not fit that index
//   fail alone as VALIDATION_FAIL, as before.
// Done (entity type, schema id) pairs are cached; failures that throw are not, so the next batch
// tries again. One entity type is applied by one call at a time: its template is the union of the
// properties of every schema id seen (later ids win a same-named field), so an older writer
// arriving after a newer one never takes fields out of the template.
import { ConnectionError, classify } from '@ingest-mesh/reason-codes';
import { documentProperties, type MappingProperties } from './avro-mapping.js';
import { mergeProperties } from './mapping-merge.js';
import type { SearchBackend } from './search-backend.js';

/** Where the schema JSON of a payloadSchemaId comes from: libs/avro's SchemaCatalog in main.ts. */
export interface SchemaSource {
  schemaJsonById(id: number): Promise<unknown>;
}

export interface MappingIssue {
  entityType: string;
  schemaId: number;
  /** `schema` (could not be read), or the template / index that refused the mapping. */
  target: string;
  reason: string;
  at: string;
}

export interface EntityMappingsOptions {
  schemas: SchemaSource;
  backend: Pick<SearchBackend, 'applyEntityMapping'>;
  /** Called for every issue (main.ts logs them). */
  onIssue?: (issue: MappingIssue) => void;
  /** Issues kept for health details (the latest). Default 20. */
  keepIssues?: number;
}

export interface EntityMappingsDetails {
  /** `<entityType>@<schemaId>` applied in this process (some targets may have refused: see issues). */
  applied: string[];
  issues: MappingIssue[];
}

export class EntityMappings {
  /** Pairs settled for this process: applied, or given up on (an unusable schema). */
  private readonly done = new Set<string>();
  private readonly applied = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();
  /** Per entity type, the last call in its chain (calls of one type run one at a time). */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly propertiesById = new Map<string, Map<number, MappingProperties>>();
  private readonly issues: MappingIssue[] = [];

  constructor(private readonly options: EntityMappingsOptions) {}

  /**
   * Makes sure every (entity type, schema id) has been applied; throws a retryable error when it
   * cannot be yet. The work is shared by concurrent batches, so it does not take one caller's
   * abort signal: its requests are bounded by the backend's request timeout.
   */
  async ensure(pairs: readonly { entityType: string; schemaId: number }[], signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const distinct = new Map(pairs.map((p) => [key(p.entityType, p.schemaId), p]));
    await Promise.all([...distinct].map(([k, p]) => this.ensureOne(k, p.entityType, p.schemaId)));
  }

  details(): EntityMappingsDetails {
    return { applied: [...this.applied].sort(), issues: [...this.issues] };
  }

  private ensureOne(k: string, entityType: string, schemaId: number): Promise<void> {
    if (this.done.has(k)) return Promise.resolve();
    let pending = this.pending.get(k);
    if (pending === undefined) {
      const previous = this.chains.get(entityType) ?? Promise.resolve();
      pending = previous.then(() => this.apply(k, entityType, schemaId)).finally(() => this.pending.delete(k));
      this.pending.set(k, pending);
      this.chains.set(
        entityType,
        pending.catch(() => undefined),
      );
    }
    return pending;
  }

  private async apply(k: string, entityType: string, schemaId: number): Promise<void> {
    if (this.done.has(k)) return;
    let schema: unknown;
    try {
      schema = await this.options.schemas.schemaJsonById(schemaId);
    } catch (err) {
      const verdict = classify(err);
      if (verdict.retryable) {
        throw new ConnectionError(`cannot map ${entityType} for search: schema id ${schemaId} could not be fetched: ${verdict.message}`, { cause: err });
      }
      this.record({ entityType, schemaId, target: 'schema', reason: `${verdict.code}: ${verdict.message}; ${entityType} stays on dynamic mapping` });
      this.done.add(k);
      return;
    }
    const byId = this.propertiesById.get(entityType) ?? new Map<number, MappingProperties>();
    byId.set(schemaId, documentProperties(schema));
    this.propertiesById.set(entityType, byId);
    const merged = [...byId].sort(([a], [b]) => a - b).reduce<MappingProperties>((into, [, properties]) => mergeProperties(into, properties), {});
    const refused = await this.options.backend.applyEntityMapping(entityType, merged);
    for (const r of refused) this.record({ entityType, schemaId, target: r.target, reason: r.reason });
    this.done.add(k);
    this.applied.add(k);
  }

  private record(issue: Omit<MappingIssue, 'at'>): void {
    const full = { ...issue, at: new Date().toISOString() };
    this.issues.push(full);
    this.issues.splice(0, Math.max(0, this.issues.length - (this.options.keepIssues ?? 20)));
    this.options.onIssue?.(full);
  }
}

function key(entityType: string, schemaId: number): string {
  return `${entityType}@${schemaId}`;
}
