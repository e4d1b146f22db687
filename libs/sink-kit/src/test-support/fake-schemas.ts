// For specs only (excluded from the build): the repository's own schema files as a registry
// stand-in with fixed ids, and builders for SinkRecord messages as ingest-router writes them.
import { readFileSync } from 'node:fs';
import { frame, parseSchema, type AvroType } from '@ingest-mesh/avro';
import type { InboundRecord } from '@ingest-mesh/kafka-runtime';
import { SchemaDriftError } from '@ingest-mesh/reason-codes';
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import type { WriterSchemas } from '../decode.js';
import { customerEntity, sinkRecordOf, type SinkRecordFields } from '../testing/sink-records.js';

export type { SinkRecordFields };

const schemasDir = new URL('../../../../schemas/', import.meta.url);
const load = (file: string): AvroType => parseSchema(readFileSync(new URL(file, schemasDir), 'utf8'));

export const IDS = { sinkRecord: 11, customer: 12, rawEnvelope: 13, order: 14 } as const;

export const TYPES: ReadonlyMap<number, AvroType> = new Map([
  [IDS.sinkRecord, load('mesh/SinkRecord.avsc')],
  [IDS.customer, load('entities/customer.avsc')],
  [IDS.rawEnvelope, load('mesh/RawEnvelope.avsc')],
  [IDS.order, load('entities/order.avsc')],
]);

/** byId as the SchemaCatalog answers it; `lookups` counts calls, `down` makes it fail like an unreachable registry. */
export class FakeSchemas implements WriterSchemas {
  lookups = 0;
  down: Error | undefined;

  async byId(id: number): Promise<AvroType> {
    this.lookups += 1;
    if (this.down) throw this.down;
    const type = TYPES.get(id);
    if (!type) throw new SchemaDriftError(`schema id ${id} is unknown to the registry`);
    return type;
  }
}

/** The SinkRecord value bytes (framed with IDS.sinkRecord); a customer payload unless given, at fixed instants. */
export function sinkRecordValue(f: SinkRecordFields): Buffer {
  const op = f.op ?? 'upsert';
  const payload = f.payload !== undefined ? f.payload : op === 'delete' ? null : frame(IDS.customer, TYPES.get(IDS.customer)!.toBuffer(customerEntity(f.id)));
  const value = sinkRecordOf({
    occurredAt: 1_700_000_000_000,
    routedAt: 1_700_000_000_500,
    ...f,
    op,
    payload,
    payloadSchemaId: f.payloadSchemaId !== undefined ? f.payloadSchemaId : payload ? IDS.customer : null,
  });
  return frame(IDS.sinkRecord, TYPES.get(IDS.sinkRecord)!.toBuffer(value));
}

let nextOffset = 0;

export function inbound(value: Buffer | null, opts: { key?: string | null; headers?: KafkaMessage['headers']; partition?: number } = {}): InboundRecord {
  const offset = String(nextOffset++);
  const key = opts.key === undefined ? null : opts.key === null ? null : Buffer.from(opts.key);
  const message = { key, value, offset, timestamp: String(Date.now()), attributes: 0, headers: opts.headers ?? {} } as KafkaMessage;
  return { topic: 'sink.test', partition: opts.partition ?? 0, message };
}

/** A keyed SinkRecord as ingest-router writes it. */
export function sinkRecord(f: SinkRecordFields): InboundRecord {
  return inbound(sinkRecordValue(f), { key: `${f.tenant ?? 'acme'}:${f.entityType ?? 'customer'}:${f.id}` });
}
