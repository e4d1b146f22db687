// The few registry calls the catalog needs that SchemaRegistry keeps to itself: the schema
// *text* by id (its getSchema() returns a Type built without our logical types) and the
// subject/version/id of the latest or of a given schema. They go through the client's own
// HTTP resources, so host, auth, agent and retry settings are the caller's.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { InternalError } from '@ingest-mesh/reason-codes';

interface Response {
  data(): unknown;
}

type Call<P> = (params: P) => Promise<Response>;

interface ClientResources {
  Schema: { find: Call<{ id: number }> };
  Subject: {
    latestVersion: Call<{ subject: string }>;
    registered: Call<{ subject: string; body: { schema: string } }>;
  };
}

/** A schema as the registry stores it. */
export interface StoredSchema {
  schema: string;
  schemaType?: string;
  references?: unknown[];
}

/** One version of a subject. */
export interface SubjectVersion extends StoredSchema {
  subject: string;
  id: number;
  version: number;
}

function isClientResources(api: unknown): api is ClientResources {
  const a = api as { Schema?: { find?: unknown }; Subject?: { latestVersion?: unknown; registered?: unknown } } | undefined;
  return typeof a?.Schema?.find === 'function' && typeof a.Subject?.latestVersion === 'function' && typeof a.Subject.registered === 'function';
}

function resourcesOf(registry: SchemaRegistry): ClientResources {
  const api: unknown = (registry as unknown as { api?: unknown }).api;
  if (!isClientResources(api)) {
    throw new InternalError('this @kafkajs/confluent-schema-registry build has no HTTP resources the catalog can use (4.x expected)');
  }
  return api;
}

function isStoredSchema(data: unknown): data is StoredSchema {
  return typeof data === 'object' && data !== null && typeof (data as StoredSchema).schema === 'string';
}

function isSubjectVersion(data: unknown): data is SubjectVersion {
  const v = data as SubjectVersion;
  return isStoredSchema(data) && typeof v.id === 'number' && typeof v.version === 'number';
}

function unexpected(what: string, data: unknown): InternalError {
  return new InternalError(`the schema registry answered ${what} with an unexpected body: ${JSON.stringify(data)?.slice(0, 200)}`);
}

/** Asserts at construction time that the client exposes what we need. */
export function assertRegistryClient(registry: SchemaRegistry): void {
  resourcesOf(registry);
}

/** GET /schemas/ids/{id}. Rejects with the client's ResponseError (status 404 when unknown). */
export async function fetchSchemaById(registry: SchemaRegistry, id: number): Promise<StoredSchema> {
  const data = (await resourcesOf(registry).Schema.find({ id })).data();
  if (!isStoredSchema(data)) throw unexpected(`schema id ${id}`, data);
  return data;
}

/** GET /subjects/{subject}/versions/latest. Rejects with status 404 when the subject does not exist. */
export async function fetchLatestVersion(registry: SchemaRegistry, subject: string): Promise<SubjectVersion> {
  const data = (await resourcesOf(registry).Subject.latestVersion({ subject })).data();
  if (!isSubjectVersion(data)) throw unexpected(`latest version of ${subject}`, data);
  return { ...data, subject };
}

/** POST /subjects/{subject}: the version holding exactly this schema. Rejects with status 404 when none does. */
export async function lookupSchemaVersion(registry: SchemaRegistry, subject: string, schema: string): Promise<SubjectVersion> {
  const data = (await resourcesOf(registry).Subject.registered({ subject, body: { schema } })).data();
  if (!isSubjectVersion(data)) throw unexpected(`lookup of a schema under ${subject}`, data);
  return { ...data, subject };
}
