// A registry schema (text + type + references) as an avsc Type, or SchemaDriftError when it
// is not something this mesh can read.
import { SchemaDriftError } from '@ingest-mesh/reason-codes';
import { parseSchema, type AvroType } from './parse-schema.js';
import type { StoredSchema } from './registry-api.js';

export function typeFromStored(id: number, stored: StoredSchema): AvroType {
  const schemaType = stored.schemaType ?? 'AVRO';
  if (schemaType !== 'AVRO') throw new SchemaDriftError(`schema id ${id} is a ${schemaType} schema, not Avro`);
  if (Array.isArray(stored.references) && stored.references.length > 0) {
    throw new SchemaDriftError(`schema id ${id} uses schema references, which libs/avro does not resolve; inline the referenced types`);
  }
  try {
    return parseSchema(stored.schema);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SchemaDriftError(`schema id ${id} is not a valid Avro schema: ${reason}`, { cause: err });
  }
}
