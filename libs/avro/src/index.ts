export {
  entitySubject,
  assertEntityType,
  subjectOf,
  ENTITY_TYPE_PATTERN,
  ENTITY_SUBJECT_PREFIX,
  RAW_ENVELOPE_SUBJECT,
  SINK_RECORD_SUBJECT,
} from './subjects.js';
export { frame, isFramed, unframe, MAGIC_BYTE, FRAME_HEADER_BYTES, type Unframed } from './framing.js';
export { parseSchema, AVRO_TYPE_OPTIONS, type AvroType } from './parse-schema.js';
export { TimestampMillisType, isTimestampMillis, TIMESTAMP_MILLIS } from './timestamp-millis.js';
export { SchemaCatalog, type SchemaCatalogOptions, type LatestSchema, type Decoded } from './catalog.js';
export { fromJson, type FieldError, type FromJsonOptions, type FromJsonResult } from './from-json.js';
export { parseIsoTimestamp } from './json-timestamp.js';
export { registerSchemas, registerSchema, type RegisteredSubject } from './register-schemas.js';
export { readSchemaFiles, DEFAULT_SCHEMAS_DIR, MESH_SCHEMA_FILES, type SchemaFile } from './schema-files.js';
export { createSchemaRegistry, REGISTRY_REQUEST_TIMEOUT_MS, REGISTRY_RETRIES, type SchemaRegistryOptions } from './registry-client.js';
