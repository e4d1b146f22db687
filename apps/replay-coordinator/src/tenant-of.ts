// Whose record is this? Checked in order, first answer wins:
//  1. header x-mesh-tenant (dead letters, records a redrive or replay wrote);
//  2. the key, when it has the mesh shape tenant:entityType:id (everything the router writes to
//     sink.*, and what producers are asked to use on ingest.raw);
//  3. the envelope: a JSON object's "tenant" field (raw JSON), or the first field of a
//     Confluent-framed Avro record whose writer schema starts with a string field "tenant"
//     (mesh.RawEnvelope on ingest.raw, mesh.SinkRecord on sink.*) — read without decoding the rest.
// A record none of these name is not the tenant's and is never replayed.
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { unframe } from '@ingest-mesh/avro';
import { parseEntityKey } from '@ingest-mesh/contracts';
import { DLQ_HEADERS, headerString } from '@ingest-mesh/kafka-runtime';

/** True when the registry schema with this id is a record whose first field is `tenant: string`. */
export type TenantFirstLookup = (schemaId: number) => Promise<boolean>;

export class TenantRecognizer {
  private readonly cache = new Map<number, Promise<boolean>>();

  constructor(private readonly tenantFirst: TenantFirstLookup) {}

  async tenantOf(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): Promise<string | undefined> {
    const header = headerString(message.headers, DLQ_HEADERS.tenant);
    if (header) return header;
    const fromKey = tenantFromKey(message.key);
    if (fromKey !== undefined) return fromKey;
    const value = message.value;
    if (!value || value.length === 0) return undefined;
    const framed = unframe(value);
    if (framed) {
      const id = framed.schemaId;
      let known = this.cache.get(id);
      if (!known) {
        known = this.tenantFirst(id).catch((err: unknown) => {
          this.cache.delete(id); // a registry outage must not stick: ask again next time
          throw err;
        });
        this.cache.set(id, known);
      }
      return (await known) ? avroLeadingString(framed.body, 0) : undefined;
    }
    return tenantFromJson(value);
  }
}

export function tenantFromKey(key: Buffer | null | undefined): string | undefined {
  return parseEntityKey(key)?.tenant;
}

export function tenantFromJson(value: Buffer): string | undefined {
  // Cheap pre-check: only objects can carry an envelope.
  const first = value.subarray(0, 64).toString('utf8').trimStart()[0];
  if (first !== '{') return undefined;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    const tenant = (parsed as { tenant?: unknown }).tenant;
    return typeof tenant === 'string' && tenant !== '' ? tenant : undefined;
  } catch {
    return undefined;
  }
}

/** An Avro string at `offset`: zig-zag varint length, then UTF-8 bytes. */
export function avroLeadingString(buf: Buffer, offset: number): string | undefined {
  let shift = 0;
  let raw = 0;
  let pos = offset;
  for (;;) {
    if (pos >= buf.length || shift > 28) return undefined;
    const byte = buf[pos++]!;
    raw |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  const length = (raw >>> 1) ^ -(raw & 1);
  if (length <= 0 || pos + length > buf.length) return undefined;
  return buf.subarray(pos, pos + length).toString('utf8');
}
