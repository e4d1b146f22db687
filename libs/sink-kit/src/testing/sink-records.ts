// Real SinkRecords as ingest-router writes them, for the tests of every sink: the entity framed
// with the registry's latest entity.<type> schema inside a mesh.SinkRecord. Exported as
// @ingest-mesh/sink-kit/testing (it uses only the registry, never a fake).
import { SINK_RECORD_SUBJECT, type SchemaCatalog } from '@ingest-mesh/avro';
import type { Operation, Priority } from '@ingest-mesh/contracts';

export interface CustomerRecordOptions {
  op?: Operation;
  name?: string;
  /** Default: a fixed instant plus one minute per revision (deterministic). */
  occurredAt?: number;
}

const CREATED_AT = Date.parse('2025-03-01T12:00:00Z');

export class SinkRecordFactory {
  constructor(
    private readonly catalog: SchemaCatalog,
    readonly tenant: string,
  ) {}

  /** The Kafka key ingest-router uses: tenant:entityType:id. */
  key(entityType: string, id: string): string {
    return `${this.tenant}:${entityType}:${id}`;
  }

  /** A customer (schemas/entities/customer.avsc) at a revision; op delete = tombstone. */
  async customer(id: string, revision: number, opts: CustomerRecordOptions = {}): Promise<Buffer> {
    const payload =
      opts.op === 'delete'
        ? null
        : await this.catalog.encode('customer', {
            id,
            name: opts.name ?? `Customer ${id} r${revision}`,
            email: `${id}@example.com`,
            tier: 'pro',
            country: 'DE',
            createdAt: CREATED_AT,
          });
    return this.sinkRecord({
      entityType: 'customer',
      id,
      revision,
      op: opts.op ?? 'upsert',
      payload,
      occurredAt: opts.occurredAt ?? CREATED_AT + revision * 60_000,
    });
  }

  /** Any entity type: payload is the framed entity (catalog.encode(type, value)) or null. */
  async sinkRecord(r: {
    entityType: string;
    id: string;
    revision: number;
    op: Operation;
    payload: Buffer | null;
    occurredAt?: number;
    priority?: Priority;
  }): Promise<Buffer> {
    const schemaId = r.payload ? (await this.catalog.latest(r.entityType)).id : null;
    return this.catalog.encode(SINK_RECORD_SUBJECT, {
      tenant: this.tenant,
      source: 'crm',
      entityType: r.entityType,
      id: r.id,
      revision: r.revision,
      occurredAt: r.occurredAt ?? Date.now(),
      priority: r.priority ?? 'normal',
      op: r.op,
      payloadSchemaId: schemaId,
      payload: r.payload,
      traceparent: null,
      routedAt: Date.now(),
    });
  }
}
