// From the bytes on a sink.<name> topic to a SinkRecordIn: the mesh.SinkRecord envelope, then the
// entity inside it, each decoded with the registry schema that wrote it. Bytes that cannot be
// decoded fail with InvalidPayloadError or SchemaDriftError (non-retryable: the runtime
// dead-letters them); an unreachable registry fails with ConnectionError (retried in place).
import { SINK_RECORD_SUBJECT, unframe, type AvroType, type SchemaCatalog } from '@ingest-mesh/avro';
import { OPERATION_SYMBOLS, PRIORITY_SYMBOLS, type SinkRecord } from '@ingest-mesh/contracts';
import { headerString, type InboundRecord } from '@ingest-mesh/kafka-runtime';
import { InvalidPayloadError, SchemaDriftError } from '@ingest-mesh/reason-codes';
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import type { SinkRecordIn } from './sink.js';

/** What the decoder needs of a SchemaCatalog: writer schemas by registry id. */
export type WriterSchemas = Pick<SchemaCatalog, 'byId'>;

/** A SinkRecord as it came off the wire (the contract, routedAt aside), with its writer schema id. */
export interface SinkEnvelope extends Omit<SinkRecord, 'routedAt'> {
  schemaId: number;
}

const PRIORITIES: ReadonlySet<string> = new Set(PRIORITY_SYMBOLS);
const OPS: ReadonlySet<string> = new Set(OPERATION_SYMBOLS);

export class SinkRecordDecoder {
  /** Writer schemas seen so far, so describe() can read an envelope without I/O. */
  private readonly known = new Map<number, AvroType>();
  private readonly envelopes = new WeakMap<KafkaMessage, SinkEnvelope>();

  constructor(private readonly schemas: WriterSchemas) {}

  /**
   * Without I/O: the envelope when its writer schema is already known, else undefined. Never
   * throws; a record that does not decode fails later, in decode().
   */
  peek(message: KafkaMessage): SinkEnvelope | undefined {
    const cached = this.envelopes.get(message);
    if (cached) return cached;
    const framed = message.value ? unframe(message.value) : undefined;
    const type = framed ? this.known.get(framed.schemaId) : undefined;
    if (!framed || !type) return undefined;
    try {
      const envelope = readEnvelope(framed.schemaId, type, framed.body);
      this.envelopes.set(message, envelope);
      return envelope;
    } catch {
      return undefined;
    }
  }

  /** The whole record: envelope and entity. */
  async decode(record: InboundRecord): Promise<SinkRecordIn> {
    const { message } = record;
    const e = this.envelopes.get(message) ?? (await this.envelope(message));
    const payload = e.op === 'delete' ? null : await this.entity(e);
    const key = message.key?.toString('utf8') || `${e.tenant}:${e.entityType}:${e.id}`;
    const traceparent = headerString(message.headers, 'traceparent') || e.traceparent || undefined;
    return {
      key,
      topic: record.topic,
      partition: record.partition,
      offset: message.offset,
      tenant: e.tenant,
      source: e.source,
      entityType: e.entityType,
      id: e.id,
      revision: e.revision,
      occurredAt: new Date(e.occurredAt),
      priority: e.priority,
      op: e.op,
      payload,
      payloadSchemaId: e.op === 'delete' ? null : e.payloadSchemaId,
      ...(traceparent === undefined ? {} : { traceparent }),
    };
  }

  private async envelope(message: KafkaMessage): Promise<SinkEnvelope> {
    const value = message.value;
    if (!value || value.length === 0) throw new InvalidPayloadError(`empty record value: expected an Avro ${SINK_RECORD_SUBJECT}`);
    const framed = unframe(value);
    if (!framed) throw new InvalidPayloadError(`record value is not Confluent-framed Avro (expected a ${SINK_RECORD_SUBJECT})`);
    const type = await this.writer(framed.schemaId);
    const envelope = readEnvelope(framed.schemaId, type, framed.body);
    this.envelopes.set(message, envelope);
    return envelope;
  }

  private async entity(e: SinkEnvelope): Promise<Record<string, unknown>> {
    const what = `the ${e.entityType} payload of ${e.tenant}:${e.entityType}:${e.id} revision ${e.revision}`;
    if (!e.payload || e.payload.length === 0) throw new InvalidPayloadError(`an upsert without payload: ${what} is missing`);
    const framed = unframe(e.payload);
    if (!framed) throw new InvalidPayloadError(`${what} is not Confluent-framed Avro`);
    if (e.payloadSchemaId !== null && e.payloadSchemaId !== framed.schemaId) {
      throw new SchemaDriftError(`${what} is framed with schema id ${framed.schemaId} but payloadSchemaId says ${e.payloadSchemaId}`);
    }
    const type = await this.writer(framed.schemaId);
    let value: unknown;
    try {
      value = type.fromBuffer(framed.body);
    } catch (err) {
      throw new InvalidPayloadError(`${what} does not decode with its writer schema id ${framed.schemaId}: ${messageOf(err)}`, { cause: err });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
      throw new SchemaDriftError(`${what} is not a record (schema id ${framed.schemaId} is ${type.typeName})`);
    }
    return value as Record<string, unknown>;
  }

  private async writer(schemaId: number): Promise<AvroType> {
    const type = await this.schemas.byId(schemaId); // SchemaDriftError for an unknown id
    this.known.set(schemaId, type);
    return type;
  }
}

/** Decodes and checks a SinkRecord body; SchemaDriftError names the first field that is not usable. */
function readEnvelope(schemaId: number, type: AvroType, body: Buffer): SinkEnvelope {
  const name = (type as { name?: string }).name;
  if (name !== SINK_RECORD_SUBJECT) {
    throw new SchemaDriftError(`record value is written with schema id ${schemaId} (${name ?? type.typeName}), not ${SINK_RECORD_SUBJECT}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = type.fromBuffer(body) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidPayloadError(`${SINK_RECORD_SUBJECT} body does not decode with its writer schema id ${schemaId}: ${messageOf(err)}`, { cause: err });
  }
  const drift = (field: string, expected: string) =>
    new SchemaDriftError(`${SINK_RECORD_SUBJECT} (schema id ${schemaId}) has no usable "${field}": expected ${expected}, got ${shown(raw[field])}`);
  const text = (field: string): string => {
    const v = raw[field];
    if (typeof v !== 'string' || v === '') throw drift(field, 'a non-empty string');
    return v;
  };
  const revision = raw['revision'];
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) throw drift('revision', 'a non-negative integer');
  const occurredAt = raw['occurredAt'];
  if (typeof occurredAt !== 'number' || !Number.isFinite(occurredAt)) throw drift('occurredAt', 'epoch milliseconds');
  const priority = raw['priority'] ?? 'normal';
  if (typeof priority !== 'string' || !PRIORITIES.has(priority)) throw drift('priority', 'high, normal or low');
  const op = raw['op'] ?? 'upsert';
  if (typeof op !== 'string' || !OPS.has(op)) throw drift('op', 'upsert or delete');
  const payloadSchemaId = raw['payloadSchemaId'] ?? null;
  if (payloadSchemaId !== null && !Number.isInteger(payloadSchemaId)) throw drift('payloadSchemaId', 'an int or null');
  const payload = raw['payload'] ?? null;
  if (payload !== null && !Buffer.isBuffer(payload)) throw drift('payload', 'bytes or null');
  const traceparent = raw['traceparent'] ?? null;
  if (traceparent !== null && typeof traceparent !== 'string') throw drift('traceparent', 'a string or null');
  return {
    schemaId,
    tenant: text('tenant'),
    source: text('source'),
    entityType: text('entityType'),
    id: text('id'),
    revision,
    occurredAt,
    priority: priority as SinkEnvelope['priority'],
    op: op as SinkEnvelope['op'],
    payloadSchemaId: payloadSchemaId as number | null,
    payload: payload as Buffer | null,
    traceparent: traceparent as string | null,
  };
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Buffer.isBuffer(v)) return `${v.length} bytes`;
  return JSON.stringify(v)?.slice(0, 60) ?? typeof v;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
