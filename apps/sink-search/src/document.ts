// The document indexed for an upsert: the decoded entity's fields plus an `@mesh` object with
// the envelope. Avro `bytes` (Buffers) become base64 strings, bigints decimal strings.
import type { SinkRecordIn } from './sink-types.js';

export const MESH_FIELD = '@mesh';

export function toDocument(record: SinkRecordIn): Record<string, unknown> {
  const entity = plain(record.payload ?? {}) as Record<string, unknown>;
  return {
    ...entity,
    [MESH_FIELD]: {
      tenant: record.tenant,
      source: record.source,
      entityType: record.entityType,
      id: record.id,
      revision: record.revision,
      occurredAt: record.occurredAt.toISOString(),
    },
  };
}

function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
