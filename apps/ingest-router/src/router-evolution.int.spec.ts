// Issue 4, item 7 — schema evolution, with the router in-process on the real stack: an entity
// type of the run gets v2 (a new field with a default) while the router runs; Avro envelopes
// whose payload was written with v1 are then routed as v2, the new field defaulted, without a
// restart. Avro envelopes without a traceparent (the schema's default null) are routed too.
import { randomUUID } from 'node:crypto';
import { RAW_ENVELOPE_SUBJECT, entitySubject, frame, parseSchema, unframe } from '@ingest-mesh/avro';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { parseTraceparent } from '@ingest-mesh/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSink, deleteTestSubject, envelope, header, newTrace, RouterRun, until } from './test-support/router-harness.js';

const entityType = `itest_evo_${randomUUID().replaceAll('-', '')}`;
const subject = entitySubject(entityType);
const r = new RouterRun({ extraEntityTypes: [entityType] });

const V1 = {
  type: 'record',
  name: 'Gadget',
  namespace: 'itest',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'label', type: 'string' },
  ],
};
const V2 = { ...V1, fields: [...V1.fields, { name: 'colour', type: 'string', default: 'grey' }] };
const v1Type = parseSchema(V1);

const register = async (schema: object) =>
  (await r.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD })).id;

let v1Id: number;

beforeAll(async () => {
  v1Id = await register(V1);
  await r.start();
}, 180_000);

afterAll(async () => {
  await r.stop();
  await deleteTestSubject(subject);
}, 120_000);

/** A mesh.RawEnvelope (Confluent-framed Avro) carrying `payload`, framed Avro of the entity. */
async function avroEnvelope(id: string, payload: Buffer, traceparent: string | null = null, revision = 3): Promise<{ key: string; value: Buffer }> {
  const value = await r.catalog.encode(RAW_ENVELOPE_SUBJECT, {
    tenant: r.acme,
    source: 'erp',
    entityType,
    id,
    revision,
    occurredAt: 1_750_000_000_000,
    priority: 'low',
    op: 'upsert',
    payload,
    traceparent,
  });
  return { key: `${r.acme}:${entityType}:${id}`, value };
}

describe('ingest-router: schema evolution', () => {
  it('routes v1-written Avro payloads as v2 once v2 is registered, the new field defaulted, without a restart', async () => {
    const id = (n: string) => `${r.run}-evo-${n}`;
    const v1Payload = (n: string) => frame(v1Id, v1Type.toBuffer({ id: id(n), label: `label ${n}` }));

    // While v1 is the latest: routed as v1.
    const before = await avroEnvelope(id('before'), v1Payload('before'));
    await r.send([before]);
    const first = await decodeSink(r.catalog, (await r.tail.keys(r.pgTopic, [before.key])).get(before.key)![0]!);
    expect(first.record).toMatchObject({
      tenant: r.acme,
      source: 'erp',
      entityType,
      id: id('before'),
      revision: 3,
      occurredAt: 1_750_000_000_000,
      priority: 'low',
      op: 'upsert',
      payloadSchemaId: v1Id,
    });
    // No trace came in: the router started one, and the record carries the router's span.
    expect(first.record.traceparent).toBe(header((await r.tail.keys(r.pgTopic, [before.key])).get(before.key)![0]!, 'traceparent'));
    expect(first.entity).toEqual({ id: id('before'), label: 'label before' });

    const v2Id = await register(V2);
    expect(v2Id).not.toBe(v1Id);
    // The router re-checks the latest version every ROUTER_SCHEMA_REFRESH_MS (1 s here).
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const trace = newTrace();
    const v2Type = parseSchema(V2);
    const after = await avroEnvelope(id('after'), v1Payload('after'), trace.traceparent);
    const written2 = await avroEnvelope(id('v2'), frame(v2Id, v2Type.toBuffer({ id: id('v2'), label: 'label v2', colour: 'red' })));
    const json = {
      key: `${r.acme}:${entityType}:${id('json')}`,
      value: envelope({ tenant: r.acme, entityType, id: id('json'), payload: { id: id('json'), label: 'label json' } }),
    };
    await r.send([after, written2, json]);
    const pg = await r.tail.keys(r.pgTopic, [after.key, written2.key, json.key]);

    const routed = await decodeSink(r.catalog, pg.get(after.key)![0]!);
    expect(routed.record.payloadSchemaId).toBe(v2Id);
    expect(unframe(routed.record.payload!)?.schemaId).toBe(v2Id);
    expect(routed.record.traceparent).toBe(header(pg.get(after.key)![0]!, 'traceparent'));
    expect(parseTraceparent(routed.record.traceparent!)?.traceId).toBe(trace.traceId);
    // Written with v1, read as v2: the new field has its default.
    expect(routed.entity).toEqual({ id: id('after'), label: 'label after', colour: 'grey' });

    expect((await decodeSink(r.catalog, pg.get(written2.key)![0]!)).entity).toEqual({ id: id('v2'), label: 'label v2', colour: 'red' });
    const fromJson = await decodeSink(r.catalog, pg.get(json.key)![0]!);
    expect(fromJson.record.payloadSchemaId).toBe(v2Id);
    expect(fromJson.entity).toEqual({ id: id('json'), label: 'label json', colour: 'grey' });

    // The record routed before v2 still reads with its own (v1) schema.
    expect(unframe(first.record.payload!)?.schemaId).toBe(v1Id);
  }, 120_000);

  it('deduplicates Avro envelopes like JSON ones: the same envelope twice is routed once', async () => {
    const dupId = `${r.run}-avro-dup`;
    const payload = frame(v1Id, v1Type.toBuffer({ id: dupId, label: 'twice' }));
    const twice = await avroEnvelope(dupId, payload);
    // The next revision of the same entity (same key, same partition) is routed after both copies.
    const next = await avroEnvelope(dupId, payload, null, 4);
    await r.send([twice, twice, next]);
    const revisions = await until('revision 4 routed', async () => {
      const all = (await r.tail.keys(r.pgTopic, [twice.key])).get(twice.key) ?? [];
      const seen = await Promise.all(all.map(async (m) => (await decodeSink(r.catalog, m)).record.revision));
      return seen.includes(4) ? seen : undefined;
    });
    expect(revisions).toEqual([3, 4]);
  }, 120_000);
});
