// Against the real registry: evolution (v1 bytes read by a v2 reader), unknown ids and
// subjects, refresh of the latest version, an unreachable registry.
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ConnectionError, SchemaDriftError, UnknownEntityTypeError } from '@ingest-mesh/reason-codes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaCatalog } from './catalog.js';
import { frame, unframe } from './framing.js';
import { fromJson } from './from-json.js';
import { registerSchemas } from './register-schemas.js';
import { REGISTRY_URL, deleteSubjects, uniqueEntityType } from './test-support/registry-subjects.js';
import { RAW_ENVELOPE_SUBJECT, SINK_RECORD_SUBJECT, entitySubject } from './subjects.js';

const registry = new SchemaRegistry({ host: REGISTRY_URL });
const entityType = uniqueEntityType('evolve');
const subject = entitySubject(entityType);

const V1 = {
  type: 'record',
  name: 'Widget',
  namespace: 'itest',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'madeAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};
const V2 = { ...V1, fields: [...V1.fields, { name: 'colour', type: 'string', default: 'grey' }] };

async function register(schema: object): Promise<number> {
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
  return id;
}

let v1Id: number;

beforeAll(async () => {
  v1Id = await register(V1);
  // The real mesh subjects (idempotent): the SinkRecord/RawEnvelope round trips below use them.
  await registerSchemas(registry);
});

afterAll(async () => {
  await deleteSubjects([subject]);
});

describe('SchemaCatalog on the real registry', () => {
  it('reads v1 bytes with the v2 reader after v2 (a defaulted field) is registered, and sees v2 after refreshMs', async () => {
    const catalog = new SchemaCatalog({ registry, refreshMs: 300 });
    const v1 = await catalog.latest(entityType);
    expect(v1).toMatchObject({ subject, id: v1Id, version: 1 });
    const converted = fromJson(v1.type, { id: 'w-1', madeAt: '2025-03-01T00:00:00Z' });
    if (!converted.ok) throw new Error(JSON.stringify(converted.errors));
    const v1Bytes = await catalog.encode(entityType, converted.value);
    expect(unframe(v1Bytes)?.schemaId).toBe(v1Id);

    const v2Id = await register(V2);
    expect(v2Id).not.toBe(v1Id);
    // Still cached…
    expect((await catalog.latest(entityType)).id).toBe(v1Id);
    // …until refreshMs has passed.
    await new Promise((resolve) => setTimeout(resolve, 350));
    const v2 = await catalog.latest(entityType);
    expect(v2).toMatchObject({ id: v2Id, version: 2 });

    expect(await catalog.decode(v1Bytes, v2.type)).toEqual({ schemaId: v1Id, value: { id: 'w-1', madeAt: Date.UTC(2025, 2, 1), colour: 'grey' } });
    expect(await catalog.decodeLatest(v1Bytes, entityType)).toMatchObject({ value: { colour: 'grey' } });
    // Without a reader: the writer's own shape.
    expect((await catalog.decode(v1Bytes)).value).toEqual({ id: 'w-1', madeAt: Date.UTC(2025, 2, 1) });
    // New bytes are written with v2.
    expect(unframe(await catalog.encode(entityType, { id: 'w-2', madeAt: 0, colour: 'red' }))?.schemaId).toBe(v2Id);
  });

  it('refuses an incompatible change (the registry answers 409) and keeps the latest version', async () => {
    const broken = { ...V1, fields: [{ name: 'id', type: 'long' }] };
    await expect(register(broken)).rejects.toMatchObject({ status: 409 });
    const catalog = new SchemaCatalog({ registry });
    expect((await catalog.latest(entityType)).version).toBe(2);
  });

  it('throws SchemaDriftError for a schema id the registry does not know', async () => {
    const catalog = new SchemaCatalog({ registry });
    const err = await catalog.decode(frame(999_999_999, Buffer.from([2, 0x61]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaDriftError);
    expect(err).toMatchObject({ code: 'SCHEMA_DRIFT', retryable: false, message: 'schema id 999999999 is unknown to the registry' });
  });

  it('throws UnknownEntityTypeError for an entity type without a subject', async () => {
    const catalog = new SchemaCatalog({ registry });
    const missing = uniqueEntityType('missing');
    const err = await catalog.latest(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownEntityTypeError);
    expect(err).toMatchObject({ code: 'UNKNOWN_ENTITY_TYPE', retryable: false });
    await expect(catalog.encode(missing, {})).rejects.toThrow(UnknownEntityTypeError);
  });

  it('throws a retryable ConnectionError when the registry cannot be reached', async () => {
    const catalog = new SchemaCatalog({ registry: new SchemaRegistry({ host: 'http://127.0.0.1:1' }) });
    const err = await catalog.latest('customer').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    await expect(catalog.byId(1)).rejects.toThrow(ConnectionError);
  });

  it('round-trips a RawEnvelope carrying a framed customer, and a SinkRecord, through the real mesh subjects', async () => {
    const catalog = new SchemaCatalog({ registry });
    const customer = fromJson((await catalog.latest('customer')).type, { id: 'c-1', name: 'Ada', email: 'ada@example.com', createdAt: 1_700_000_000_000 });
    if (!customer.ok) throw new Error(JSON.stringify(customer.errors));
    const payload = await catalog.encode('customer', customer.value);

    await expect(catalog.latest(RAW_ENVELOPE_SUBJECT)).rejects.toThrow(/entityType "mesh.RawEnvelope" must match/);
    expect((await catalog.latestForSubject(RAW_ENVELOPE_SUBJECT)).type.name).toBe('mesh.RawEnvelope');
    const raw = await catalog.encode(RAW_ENVELOPE_SUBJECT, {
      tenant: 'acme',
      source: 'crm',
      entityType: 'customer',
      id: 'c-1',
      revision: 1,
      occurredAt: 1_700_000_000_000,
      priority: 'high',
      op: 'upsert',
      payload,
      traceparent: null,
    });
    const decodedEnvelope = (await catalog.decodeLatest(raw, RAW_ENVELOPE_SUBJECT)).value as { payload: Buffer; priority: string };
    expect(decodedEnvelope.priority).toBe('high');
    expect((await catalog.decodeLatest(decodedEnvelope.payload, 'customer')).value).toEqual({ ...(customer.value as object) });

    const sink = await catalog.encode(SINK_RECORD_SUBJECT, {
      tenant: 'acme',
      source: 'crm',
      entityType: 'customer',
      id: 'c-1',
      revision: 1,
      occurredAt: 1_700_000_000_000,
      priority: 'normal',
      op: 'upsert',
      payloadSchemaId: unframe(payload)?.schemaId ?? null,
      payload,
      traceparent: null,
      routedAt: Date.now(),
    });
    expect((await catalog.decode(sink)).value).toMatchObject({ entityType: 'customer', payloadSchemaId: unframe(payload)?.schemaId });
  });
});
