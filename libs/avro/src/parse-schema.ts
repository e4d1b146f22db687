// One way to turn schema text into an avsc Type, so every Type the catalog hands out carries
// the same logical types and union representation.
import avsc from 'avsc';
import { TIMESTAMP_MILLIS, TimestampMillisType } from './timestamp-millis.js';

export type AvroType = avsc.Type;

/** avsc options for every Type built here: timestamp-millis as epoch millis; unions unwrapped unless ambiguous. */
export const AVRO_TYPE_OPTIONS: Partial<avsc.ForSchemaOptions> = Object.freeze({
  logicalTypes: { [TIMESTAMP_MILLIS]: TimestampMillisType },
  wrapUnions: 'auto',
});

/** Parses schema JSON text or an already parsed schema object. Throws avsc's Error for an invalid schema. */
export function parseSchema(schema: string | object): AvroType {
  const parsed: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
  return avsc.Type.forSchema(parsed as avsc.Schema, { ...AVRO_TYPE_OPTIONS });
}
