// The schemas the mesh reads and writes with, from the registry: Types by id (immutable,
// cached for good), the latest version per subject (re-checked every refreshMs), and framed
// Avro encode/decode with writer→reader resolution.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConnectionError, InternalError, InvalidPayloadError, SchemaDriftError, UnknownEntityTypeError, ValidationError } from '@ingest-mesh/reason-codes';
import { frame, unframe } from './framing.js';
import type { AvroType } from './parse-schema.js';
import { assertRegistryClient, fetchLatestVersion, fetchSchemaById } from './registry-api.js';
import { registryFailure, statusOf } from './registry-errors.js';
import { ResolverCache } from './resolvers.js';
import { typeFromStored } from './stored-type.js';
import { ENTITY_SUBJECT_PREFIX, entitySubject, subjectOf } from './subjects.js';

export interface SchemaCatalogOptions {
  registry: SchemaRegistry;
  /** How long a subject's latest version is trusted before it is re-checked; default 30 s. */
  refreshMs?: number;
  /** How long "no such subject" / "no such schema id" is remembered; default min(5 s, refreshMs). */
  missingTtlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface LatestSchema {
  subject: string;
  id: number;
  version: number;
  type: AvroType;
}

export interface Decoded {
  schemaId: number;
  value: unknown;
}

interface LatestEntry {
  value: LatestSchema | undefined;
  /** Re-check the registry at or after this time. */
  checkAt: number;
}

const DEFAULT_REFRESH_MS = 30_000;
const DEFAULT_MISSING_TTL_MS = 5_000;
/** While the registry is unreachable, a stale latest version is served and re-checked this often. */
const STALE_RETRY_MS = 1_000;
const MAX_REPORTED_PATHS = 5;

export class SchemaCatalog {
  readonly refreshMs: number;
  private readonly registry: SchemaRegistry;
  private readonly missingTtlMs: number;
  private readonly now: () => number;
  private readonly latestEntries = new Map<string, LatestEntry>();
  private readonly latestInFlight = new Map<string, Promise<LatestSchema>>();
  private readonly types = new Map<number, AvroType>();
  /** The schema text of every id in `types`, for schemaJsonById (immutable like the ids). */
  private readonly texts = new Map<number, string>();
  private readonly typesInFlight = new Map<number, Promise<AvroType>>();
  private readonly unknownIds = new Map<number, number>();
  private readonly resolvers = new ResolverCache();

  constructor(opts: SchemaCatalogOptions) {
    assertRegistryClient(opts.registry);
    this.registry = opts.registry;
    this.refreshMs = opts.refreshMs ?? DEFAULT_REFRESH_MS;
    this.missingTtlMs = opts.missingTtlMs ?? Math.min(DEFAULT_MISSING_TTL_MS, this.refreshMs);
    this.now = opts.now ?? Date.now;
  }

  /**
   * The current reader schema of an entity type (subject entity.<entityType>). ValidationError
   * for a malformed entity type, UnknownEntityTypeError when the subject does not exist,
   * ConnectionError when the registry cannot be reached and nothing is cached.
   */
  async latest(entityType: string): Promise<LatestSchema> {
    return this.latestForSubject(entitySubject(entityType));
  }

  /** The latest schema of any subject, e.g. SINK_RECORD_SUBJECT; errors as for latest(). */
  latestForSubject(subject: string): Promise<LatestSchema> {
    if (typeof subject !== 'string' || subject === '')
      return Promise.reject(new ValidationError('a subject name is required', { field: 'subject', rule: 'subject' }));
    const entry = this.latestEntries.get(subject);
    if (entry !== undefined && this.now() < entry.checkAt) {
      return entry.value === undefined ? Promise.reject(unknownSubject(subject)) : Promise.resolve(entry.value);
    }
    let pending = this.latestInFlight.get(subject);
    if (pending === undefined) {
      pending = this.refreshLatest(subject, entry?.value).finally(() => this.latestInFlight.delete(subject));
      this.latestInFlight.set(subject, pending);
    }
    return pending;
  }

  /** The Type of a registry schema id. SchemaDriftError when the registry does not know the id. */
  byId(id: number): Promise<AvroType> {
    if (!Number.isInteger(id) || id < 0) return Promise.reject(new RangeError(`a schema id is a non-negative integer, got ${String(id)}`));
    const known = this.types.get(id);
    if (known !== undefined) return Promise.resolve(known);
    const unknownUntil = this.unknownIds.get(id);
    if (unknownUntil !== undefined && this.now() < unknownUntil) return Promise.reject(unknownId(id));
    let pending = this.typesInFlight.get(id);
    if (pending === undefined) {
      pending = this.fetchType(id).finally(() => this.typesInFlight.delete(id));
      this.typesInFlight.set(id, pending);
    }
    return pending;
  }

  /**
   * The schema of a registry id as the registry stores it, parsed (a fresh copy each call), for
   * callers that read the schema itself rather than values, e.g. to derive a search mapping.
   * Cached with the Type; errors as for byId().
   */
  async schemaJsonById(id: number): Promise<unknown> {
    await this.byId(id);
    const text = this.texts.get(id);
    if (text === undefined) throw new InternalError(`schema id ${id} is cached without its text`);
    return JSON.parse(text) as unknown;
  }

  /**
   * Decodes Confluent-framed Avro, as `reader` when given (resolving the writer's schema into it).
   * InvalidPayloadError for bytes that are not framed or do not decode; SchemaDriftError for an
   * unknown writer id or a writer that does not resolve into the reader.
   */
  async decode(buf: Buffer, reader?: AvroType): Promise<Decoded> {
    const framed = unframe(buf);
    if (framed === undefined) throw new InvalidPayloadError('value is not Confluent-framed Avro (magic byte 0 + 4-byte schema id)');
    const writer = await this.byId(framed.schemaId);
    const resolver = reader === undefined || reader === writer ? undefined : this.resolvers.resolver(framed.schemaId, writer, reader);
    try {
      return { schemaId: framed.schemaId, value: (reader ?? writer).fromBuffer(framed.body, resolver) };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new InvalidPayloadError(`Avro body does not decode with its writer schema id ${framed.schemaId}: ${reason}`, { cause: err });
    }
  }

  /** Decodes as the latest schema of an entity type or subject. */
  async decodeLatest(buf: Buffer, entityTypeOrSubject: string): Promise<Decoded> {
    const { type } = await this.latestForSubject(subjectOf(entityTypeOrSubject));
    return this.decode(buf, type);
  }

  /**
   * Encodes with the latest schema of an entity type (`customer`) or subject (`mesh.SinkRecord`)
   * and frames it with that schema's id. ValidationError when the value does not fit the schema.
   */
  async encode(entityTypeOrSubject: string, value: unknown): Promise<Buffer> {
    const { subject, id, type } = await this.latestForSubject(subjectOf(entityTypeOrSubject));
    const paths: string[] = [];
    if (!type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) })) {
      const shown = paths.slice(0, MAX_REPORTED_PATHS).map((p) => (p === '' ? '(root)' : p));
      throw new ValidationError(`value does not match ${subject} (schema id ${id}) at ${shown.join(', ')}`, { field: paths[0], rule: 'schema' });
    }
    return frame(id, type.toBuffer(value));
  }

  private async refreshLatest(subject: string, stale: LatestSchema | undefined): Promise<LatestSchema> {
    let version;
    try {
      version = await fetchLatestVersion(this.registry, subject);
    } catch (err) {
      if (statusOf(err) === 404) {
        this.latestEntries.set(subject, { value: undefined, checkAt: this.now() + this.missingTtlMs });
        throw unknownSubject(subject, err);
      }
      const failure = registryFailure(err, `looking up the latest schema of ${subject}`);
      if (stale !== undefined && failure instanceof ConnectionError) {
        this.latestEntries.set(subject, { value: stale, checkAt: this.now() + Math.min(STALE_RETRY_MS, this.refreshMs) });
        return stale;
      }
      throw failure;
    }
    const type = this.types.get(version.id) ?? typeFromStored(version.id, version);
    this.types.set(version.id, type);
    this.texts.set(version.id, version.schema);
    const latest: LatestSchema = { subject, id: version.id, version: version.version, type };
    this.latestEntries.set(subject, { value: latest, checkAt: this.now() + this.refreshMs });
    return latest;
  }

  private async fetchType(id: number): Promise<AvroType> {
    let stored;
    try {
      stored = await fetchSchemaById(this.registry, id);
    } catch (err) {
      if (statusOf(err) === 404) {
        this.unknownIds.set(id, this.now() + this.missingTtlMs);
        throw unknownId(id, err);
      }
      throw registryFailure(err, `fetching schema id ${id}`);
    }
    const type = typeFromStored(id, stored);
    this.types.set(id, type);
    this.texts.set(id, stored.schema);
    this.unknownIds.delete(id);
    return type;
  }
}

function unknownSubject(subject: string, cause?: unknown): UnknownEntityTypeError {
  const message = subject.startsWith(ENTITY_SUBJECT_PREFIX)
    ? `entity type "${subject.slice(ENTITY_SUBJECT_PREFIX.length)}" has no schema: registry subject ${subject} does not exist`
    : `registry subject ${subject} does not exist (register it with tools/schemas/register.ts)`;
  return new UnknownEntityTypeError(message, cause === undefined ? undefined : { cause });
}

function unknownId(id: number, cause?: unknown): SchemaDriftError {
  return new SchemaDriftError(`schema id ${id} is unknown to the registry`, cause === undefined ? undefined : { cause });
}
