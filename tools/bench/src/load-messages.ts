// The planned load as Kafka messages for the router's raw topic: Avro (mesh.RawEnvelope with the
// customer framed inside, as producers using the registry write) or JSON envelopes.
import { RAW_ENVELOPE_SUBJECT, type SchemaCatalog } from '@ingest-mesh/avro';
import type { Message } from '@ingest-mesh/kafka-client';
import { seeded, type Planned } from './load-plan.js';

export type Format = 'avro' | 'json';

type Good = Extract<Planned, { kind: 'good' }>;

export async function encodeRecord(catalog: SchemaCatalog, format: Format, p: Good, occurredAt: number): Promise<Message> {
  const key = `${p.tenant}:customer:${p.id}`;
  const customer = { id: p.id, name: p.name, email: `${p.id}@example.com`, tier: 'pro', country: 'DE', createdAt: occurredAt };
  if (format === 'json') {
    const value = JSON.stringify({
      tenant: p.tenant,
      source: 'bench',
      entityType: 'customer',
      id: p.id,
      revision: p.revision,
      occurredAt: new Date(occurredAt).toISOString(),
      payload: { ...customer, createdAt: new Date(occurredAt).toISOString() },
    });
    return { key, value };
  }
  const value = await catalog.encode(RAW_ENVELOPE_SUBJECT, {
    tenant: p.tenant,
    source: 'bench',
    entityType: 'customer',
    id: p.id,
    revision: p.revision,
    occurredAt,
    priority: 'normal',
    op: 'upsert',
    payload: await catalog.encode('customer', customer),
    traceparent: null,
  });
  return { key, value };
}

/**
 * Every planned record as a message: duplicates are byte-for-byte copies of their original.
 * With `timestamps`, message i carries timestamps[i] as its Kafka timestamp (when it was offered).
 */
export async function encodePlan(
  catalog: SchemaCatalog,
  format: Format,
  plan: readonly Planned[],
  occurredAt: number,
  timestamps?: readonly number[],
): Promise<Message[]> {
  const out: Message[] = [];
  for (const p of plan) {
    if (p.kind === 'good') out.push(await encodeRecord(catalog, format, p, occurredAt));
    else if (p.kind === 'dup') out.push({ key: out[p.of]!.key, value: out[p.of]!.value });
    else out.push({ key: 'bench:bad', value: Buffer.alloc(p.bytes, 0x7e) }); // '~~~~': neither JSON nor framed Avro
  }
  return timestamps ? out.map((m, i) => ({ ...m, timestamp: String(timestamps[i]) })) : out;
}

/**
 * The messages with a W3C traceparent each, as a producer whose SDK samples at `ratio` writes
 * them: a fresh trace per record, flags 01 for about `ratio` of them (seeded, so repeatable).
 */
export function withTraceparents(messages: readonly Message[], ratio: number, seed: number): Message[] {
  const random = seeded(seed);
  const hex = (bytes: number) =>
    Array.from({ length: bytes }, () =>
      Math.floor(random() * 256)
        .toString(16)
        .padStart(2, '0'),
    ).join('');
  return messages.map((m) => ({ ...m, headers: { ...m.headers, traceparent: `00-${hex(16)}-${hex(8)}-${random() < ratio ? '01' : '00'}` } }));
}

/** A JSON envelope of a customer whose occurredAt is `now` (the send time: the latency phases). */
export function stampedJson(tenant: string, id: string, name: string, now: number): Message {
  const at = new Date(now).toISOString();
  return {
    key: `${tenant}:customer:${id}`,
    value: JSON.stringify({
      tenant,
      source: 'bench',
      entityType: 'customer',
      id,
      revision: 1,
      occurredAt: at,
      payload: { id, name, email: `${id}@example.com`, tier: 'pro', country: 'DE', createdAt: at },
    }),
  };
}
