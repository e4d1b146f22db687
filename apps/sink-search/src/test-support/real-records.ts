// Real SinkRecordIns for the *.int.spec.ts: SinkRecords framed exactly as ingest-router writes
// them (SinkRecordFactory, the registry's schemas) and decoded by sink-kit's own decoder, so each
// carries the entity as the runner hands it over and a real payloadSchemaId.
import type { SchemaCatalog } from '@ingest-mesh/avro';
import { SinkRecordDecoder } from '@ingest-mesh/sink-kit';
import type { SinkRecordFactory } from '@ingest-mesh/sink-kit/testing';
import type { SinkRecordIn } from '../sink-types.js';

type Inbound = Parameters<SinkRecordDecoder['decode']>[0];

let offset = 0;

/** Decodes framed mesh.SinkRecords as the runner does. */
export async function decodeSinkRecords(catalog: SchemaCatalog, values: readonly Buffer[]): Promise<SinkRecordIn[]> {
  const decoder = new SinkRecordDecoder(catalog);
  const inbound = values.map((value): Inbound => ({
    topic: 'sink.search',
    partition: 0,
    message: { key: null, value, timestamp: '0', attributes: 0, offset: String(offset++), headers: {} },
  }));
  return Promise.all(inbound.map((r) => decoder.decode(r)));
}

export interface OrderFields {
  customerId: string;
  status?: 'placed' | 'paid' | 'shipped' | 'cancelled';
  amountCents: number;
  items?: { sku: string; qty: number }[];
}

/** An order (schemas/entities/order.avsc) as a framed SinkRecord. */
export async function orderSinkRecord(factory: SinkRecordFactory, catalog: SchemaCatalog, id: string, revision: number, fields: OrderFields): Promise<Buffer> {
  const payload = await catalog.encode('order', { id, status: 'placed', currency: 'EUR', items: [], ...fields });
  return factory.sinkRecord({ entityType: 'order', id, revision, op: 'upsert', payload });
}
