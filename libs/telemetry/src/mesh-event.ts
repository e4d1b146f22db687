// The mesh.events wire contract: schemas/mesh/MeshEvent.avsc, Confluent-framed Avro. Details go
// in `dataJson` so an event type can grow new details without a new schema version.
import { readFileSync } from 'node:fs';
import { isFramed } from '@ingest-mesh/avro';
import type { MeshEvent as MeshEventWire } from '@ingest-mesh/contracts';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { InvalidPayloadError } from '@ingest-mesh/reason-codes';

export const MESH_EVENTS_TOPIC = 'mesh.events';
export const MESH_EVENTS_SUBJECT = 'mesh.events-value';
/** src/ and dist/ sit at the same depth, so this resolves from both to <repo>/schemas/mesh. */
export const MESH_EVENT_SCHEMA_URL = new URL('../../../schemas/mesh/MeshEvent.avsc', import.meta.url);

export interface MeshEvent {
  type: string;
  app: string;
  instance: string;
  /** ISO-8601 */
  at: string;
  tenant?: string;
  data: Record<string, unknown>;
}

/** The Avro record as the schema defines it. */
export type MeshEventRecord = MeshEventWire;

let schemaText: string | undefined;

/** The text of MeshEvent.avsc, read once. */
export function meshEventSchema(): string {
  schemaText ??= readFileSync(MESH_EVENT_SCHEMA_URL, 'utf8');
  return schemaText;
}

/** Throws TypeError when `data` cannot be JSON (a cycle); bigint values become decimal strings. */
export function toMeshEventRecord(event: MeshEvent): MeshEventRecord {
  const dataJson = JSON.stringify(event.data, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  return { type: event.type, app: event.app, instance: event.instance, at: event.at, tenant: event.tenant ?? null, dataJson };
}

export function fromMeshEventRecord(record: unknown): MeshEvent {
  if (!isMeshEventRecord(record)) throw new InvalidPayloadError('the decoded value is not a mesh.MeshEvent record');
  const data = parseData(record.dataJson);
  const event: MeshEvent = { type: record.type, app: record.app, instance: record.instance, at: record.at, data };
  if (record.tenant !== null) event.tenant = record.tenant;
  return event;
}

/**
 * Decodes one mesh.events value. Bytes that are not Confluent-framed, or a record that is not a
 * MeshEvent, throw InvalidPayloadError; registry failures (unreachable, unknown id) propagate as
 * they are, for the caller to classify.
 */
export async function decodeMeshEvent(registry: SchemaRegistry, buffer: Buffer): Promise<MeshEvent> {
  if (!isFramed(buffer)) {
    throw new InvalidPayloadError('mesh.events value is not Confluent-framed Avro (magic byte 0 + schema id)');
  }
  return fromMeshEventRecord(await registry.decode(buffer));
}

function isMeshEventRecord(value: unknown): value is MeshEventRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.type === 'string' &&
    typeof r.app === 'string' &&
    typeof r.instance === 'string' &&
    typeof r.at === 'string' &&
    (r.tenant === null || typeof r.tenant === 'string') &&
    typeof r.dataJson === 'string'
  );
}

function parseData(dataJson: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(dataJson);
  } catch (cause) {
    throw new InvalidPayloadError('MeshEvent.dataJson is not JSON', { cause });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidPayloadError('MeshEvent.dataJson is not a JSON object');
  }
  return data as Record<string, unknown>;
}
