import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { stackEndpoints } from '@ingest-mesh/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const endpoints = stackEndpoints();
const host = endpoints.SCHEMA_REGISTRY_URL.replace(/\/+$/, '');
const databaseUrl = endpoints.DATABASE_URL;

// A unique record name per run: subjects and contents never collide with earlier runs.
const tag = randomUUID().replaceAll('-', '');
const subject = `stack-probe-${tag}-value`;
const recordName = `Probe${tag}`;

interface AvroRecord {
  type: 'record';
  name: string;
  namespace: string;
  fields: { name: string; type: string; default?: string }[];
}

const v1: AvroRecord = {
  type: 'record',
  name: recordName,
  namespace: 'mesh.stack',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'count', type: 'int' },
  ],
};
// Compatible under BACKWARD: the new field has a default.
const v2: AvroRecord = { ...v1, fields: [...v1.fields, { name: 'source', type: 'string', default: 'unknown' }] };
// Incompatible under BACKWARD: a new field without a default cannot be read from v2 data.
const v3: AvroRecord = { ...v2, fields: [...v2.fields, { name: 'required', type: 'long' }] };

const avro = (schema: AvroRecord): { type: SchemaType.AVRO; schema: string } => ({
  type: SchemaType.AVRO,
  schema: JSON.stringify(schema),
});
// updateConfig: false keeps the client from storing a per-subject rule, so what decides below is
// the registry's own global default (BACKWARD, set by tools/stack/components/registry.sh).
const opts = (s: string) => ({ subject: s, compatibility: COMPATIBILITY.BACKWARD, updateConfig: false });

async function deleteSubject(s: string): Promise<void> {
  // Soft delete first, then permanent, as the Confluent API requires.
  await fetch(`${host}/subjects/${encodeURIComponent(s)}`, { method: 'DELETE' });
  await fetch(`${host}/subjects/${encodeURIComponent(s)}?permanent=true`, { method: 'DELETE' });
}

async function compatibleWithLatest(schema: AvroRecord): Promise<unknown> {
  const res = await fetch(`${host}/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe('Schema registry at SCHEMA_REGISTRY_URL (Confluent-compatible API)', () => {
  const registry = new SchemaRegistry({ host, clientId: 'stack-int' });
  let v1Id = 0;
  let v2Id = 0;
  afterAll(async () => {
    await deleteSubject(subject);
    await deleteSubject(`${subject}-copy`);
  });

  it('has BACKWARD as the global compatibility level', async () => {
    const res = await fetch(`${host}/config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });
  });

  it('registers an Avro schema and serves it back by id', async () => {
    ({ id: v1Id } = await registry.register(avro(v1), opts(subject)));
    expect(v1Id).toBeGreaterThan(0);
    expect(await registry.getLatestSchemaId(subject)).toBe(v1Id);
    // No per-subject rule was stored: the subject inherits the global BACKWARD level.
    const config = await fetch(`${host}/config/${encodeURIComponent(subject)}`);
    expect(await config.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });

    // A client with an empty cache reads the schema from the registry, not from memory.
    const fresh = new SchemaRegistry({ host, clientId: 'stack-int-fresh' });
    const schema = await fresh.getSchema(v1Id);
    expect(schema).toMatchObject({ name: `mesh.stack.${recordName}` });

    const payload = { id: 'a-1', count: 42 };
    const encoded = await registry.encode(v1Id, payload);
    expect(encoded[0]).toBe(0); // Confluent wire format: magic byte, then the 4-byte schema id
    expect(encoded.readInt32BE(1)).toBe(v1Id);
    expect(await fresh.decode(encoded)).toEqual(payload);
  });

  it('gives the same content the same id, as Confluent does', async () => {
    const other = `${subject}-copy`;
    const { id } = await registry.register(avro(v1), opts(other));
    expect(id).toBe(v1Id);
    // Registering identical content again under the same subject is idempotent.
    const again = await registry.register(avro(v1), opts(subject));
    expect(again.id).toBe(v1Id);
    expect(await registry.getRegistryId(subject, 'latest')).toBe(v1Id);
  });

  it('accepts a compatible v2 (new field with a default) under a new id', async () => {
    expect(await compatibleWithLatest(v2)).toEqual({ is_compatible: true });
    ({ id: v2Id } = await registry.register(avro(v2), opts(subject)));
    expect(v2Id).toBeGreaterThan(v1Id);
    expect(await registry.getRegistryId(subject, 1)).toBe(v1Id);
    expect(await registry.getRegistryId(subject, 2)).toBe(v2Id);

    // Data written with v1 is read with the v2 reader schema, the default filling the new field.
    const old = await registry.encode(v1Id, { id: 'a-2', count: 7 });
    expect(await registry.decode(old, { [SchemaType.AVRO]: { readerSchema: v2 } })).toEqual({
      id: 'a-2',
      count: 7,
      source: 'unknown',
    });
  });

  it('rejects an incompatible v3 (new field without a default)', async () => {
    expect(await compatibleWithLatest(v3)).toEqual({ is_compatible: false });
    await expect(registry.register(avro(v3), opts(subject))).rejects.toMatchObject({
      status: 409,
    });
    // The rejected schema left no trace: v2 is still the latest.
    expect(await new SchemaRegistry({ host }).getLatestSchemaId(subject)).toBe(v2Id);
  });

  describe('storage', () => {
    const url = new URL(databaseUrl);
    url.pathname = '/registry';
    const db = new pg.Client({ connectionString: url.toString() });
    beforeAll(() => db.connect());
    afterAll(() => db.end());

    // Apicurio's SQL storage keeps each schema content under its content id, the id the
    // Confluent-compatible API hands out: what is in PostgreSQL survives a registry restart.
    it('keeps the schemas in the PostgreSQL `registry` database under the ids it hands out', async () => {
      expect(v2Id).toBeGreaterThan(0);
      const rows = await db.query<{ contentid: string; text: string }>(
        "SELECT contentid, convert_from(content, 'UTF8') AS text FROM content WHERE contentid = ANY($1::bigint[]) ORDER BY contentid", // bigint order, not text
        [[v1Id, v2Id]],
      );
      expect(rows.rows.map((r) => Number(r.contentid))).toEqual([v1Id, v2Id]);
      expect(JSON.parse(rows.rows[0]!.text)).toEqual(v1);
      expect(JSON.parse(rows.rows[1]!.text)).toEqual(v2);
    });
  });
});
