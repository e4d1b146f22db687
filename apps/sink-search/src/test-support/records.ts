// SinkRecordIn builders for the specs.
import type { SinkRecordIn } from '../sink-types.js';

let offset = 0;

export function record(overrides: Partial<SinkRecordIn> & Pick<SinkRecordIn, 'id' | 'revision'>): SinkRecordIn {
  const tenant = overrides.tenant ?? 'acme';
  const entityType = overrides.entityType ?? 'customer';
  const op = overrides.op ?? 'upsert';
  return {
    key: `${tenant}:${entityType}:${overrides.id}`,
    topic: 'sink.search',
    partition: 0,
    offset: String(offset++),
    tenant,
    source: 'crm',
    entityType,
    occurredAt: new Date('2025-01-01T00:00:00Z'),
    priority: 'normal',
    op,
    payload: op === 'delete' ? null : { name: `n-${overrides.id}-${overrides.revision}` },
    payloadSchemaId: op === 'delete' ? null : 1,
    ...overrides,
  };
}
