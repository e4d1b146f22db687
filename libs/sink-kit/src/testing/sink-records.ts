// SinkRecords as ingest-router writes them, for the tests of every sink. One builder of the
// record's fields (sinkRecordOf, the contract's defaults) and one customer entity
// (customerEntity); SinkRecordFactory frames them with the registry's real schemas. Exported as
// @ingest-mesh/sink-kit/testing (it uses only the registry, never a fake; sink-kit's own unit
// specs frame the same fields with fixed schema ids).
import { SINK_RECORD_SUBJECT, type SchemaCatalog } from '@ingest-mesh/avro';
import type { Operation, Priority, SinkRecord } from '@ingest-mesh/contracts';

/** A SinkRecord's fields (the contract): the id, and any others to set. */
export type SinkRecordFields = Pick<SinkRecord, 'id'> & Partial<SinkRecord>;

/**
 * The one SinkRecord builder of the tests: the fields given, and for the rest a customer upsert of
 * tenant acme from source crm, revision 1, normal priority, no payload, both instants `at`. A field
 * given as undefined takes its default too.
 */
export function sinkRecordOf(f: SinkRecordFields, at: number = Date.now()): SinkRecord {
  return {
    tenant: 'acme',
    source: 'crm',
    entityType: 'customer',
    revision: 1,
    occurredAt: at,
    priority: 'normal',
    op: 'upsert',
    payloadSchemaId: null,
    payload: null,
    traceparent: null,
    routedAt: at,
    ...(Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as SinkRecordFields),
  };
}

export const CUSTOMER_CREATED_AT = Date.parse('2025-03-01T12:00:00Z');

/** A customer (schemas/entities/customer.avsc): a free-tier customer named after its id, unless overridden. */
export function customerEntity(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, name: `Customer ${id}`, email: `${id}@example.com`, tier: 'free', country: null, createdAt: CUSTOMER_CREATED_AT, ...overrides };
}

export interface CustomerRecordOptions {
  op?: Operation;
  name?: string;
  /** Default: a fixed instant plus one minute per revision (deterministic). */
  occurredAt?: number;
}

export class SinkRecordFactory {
  constructor(
    private readonly catalog: SchemaCatalog,
    readonly tenant: string,
  ) {}

  /** The Kafka key ingest-router uses: tenant:entityType:id. */
  key(entityType: string, id: string): string {
    return `${this.tenant}:${entityType}:${id}`;
  }

  /** A pro customer in DE named after its id and revision, at a revision; op delete = tombstone. */
  async customer(id: string, revision: number, opts: CustomerRecordOptions = {}): Promise<Buffer> {
    const payload =
      opts.op === 'delete'
        ? null
        : await this.catalog.encode('customer', customerEntity(id, { name: opts.name ?? `Customer ${id} r${revision}`, tier: 'pro', country: 'DE' }));
    return this.sinkRecord({
      entityType: 'customer',
      id,
      revision,
      op: opts.op ?? 'upsert',
      payload,
      occurredAt: opts.occurredAt ?? CUSTOMER_CREATED_AT + revision * 60_000,
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
    const payloadSchemaId = r.payload ? (await this.catalog.latest(r.entityType)).id : null;
    return this.catalog.encode(SINK_RECORD_SUBJECT, sinkRecordOf({ ...r, tenant: this.tenant, payloadSchemaId }));
  }
}
