// Registers the mesh's schema files (see schema-files.ts) with BACKWARD compatibility.
// Idempotent: a schema the subject already holds keeps its id and version.
import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { SchemaDriftError } from '@ingest-mesh/reason-codes';
import { lookupSchemaVersion } from './registry-api.js';
import { registryFailure, statusOf } from './registry-errors.js';
import { DEFAULT_SCHEMAS_DIR, readSchemaFiles, type SchemaFile } from './schema-files.js';

export interface RegisteredSubject {
  subject: string;
  id: number;
  version: number;
}

function refusal(err: unknown): boolean {
  const status = statusOf(err);
  // 409: incompatible with the subject's versions; 422: invalid schema; the client's own
  // errors (e.g. a subject whose compatibility level is not BACKWARD).
  return status === 409 || status === 422 || (err instanceof Error && err.name.startsWith('ConfluentSchemaRegistry'));
}

export async function registerSchema(registry: SchemaRegistry, file: SchemaFile): Promise<RegisteredSubject> {
  try {
    await registry.register({ type: SchemaType.AVRO, schema: file.schema }, { subject: file.subject, compatibility: COMPATIBILITY.BACKWARD });
    const { id, version } = await lookupSchemaVersion(registry, file.subject, file.schema);
    return { subject: file.subject, id, version };
  } catch (err) {
    if (refusal(err)) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new SchemaDriftError(`the registry refuses ${file.file} under ${file.subject}: ${reason}`, { cause: err });
    }
    throw registryFailure(err, `registering ${file.file} under ${file.subject}`);
  }
}

/**
 * Registers schemas/entities/*.avsc as entity.<name> and schemas/mesh/{SinkRecord,RawEnvelope}.avsc
 * under mesh.SinkRecord / mesh.RawEnvelope. SchemaDriftError when the registry refuses one
 * (incompatible change), ConnectionError when it cannot be reached.
 */
export async function registerSchemas(registry: SchemaRegistry, dir: string = DEFAULT_SCHEMAS_DIR): Promise<RegisteredSubject[]> {
  const files = await readSchemaFiles(dir);
  return Promise.all(files.map((file) => registerSchema(registry, file)));
}
