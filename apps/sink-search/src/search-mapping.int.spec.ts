// Mappings from the schemas on the real engine and the real registry: customers and orders
// (the repository's schemas, registered by libs/avro) written through SearchSink with a real
// SchemaCatalog; the indexes get the derived types, queries rely on them, an evolved schema maps
// its new field on an existing index, and a conflicting index is reported without failing writes.
// A unique index prefix and test entity type per run, removed afterwards (templates too).
import { randomUUID } from 'node:crypto';
import { registerSchema, registerSchemas, SchemaCatalog } from '@ingest-mesh/avro';
import { SinkRecordFactory } from '@ingest-mesh/sink-kit/testing';
import { stackEndpoints } from '@ingest-mesh/testing';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenSearchBackend } from './opensearch-backend.js';
import { SearchSink } from './search-sink.js';
import { decodeSinkRecords, orderSinkRecord } from './test-support/real-records.js';

const { SEARCH_URL, SCHEMA_REGISTRY_URL: REGISTRY_URL } = stackEndpoints();
const run = randomUUID().replaceAll('-', '').slice(0, 10);
const prefix = `mesh-it-map-${run}-`;
const tenant = `acme${run}`;
/** A test-only entity type for the evolution case (never a shared subject). */
const evolving = `itest_searchmap_${run}`;

const registry = new SchemaRegistry({ host: REGISTRY_URL });
const catalog = new SchemaCatalog({ registry });
/** Re-reads the latest version every time, so an evolved schema is used at once for encoding. */
const encoder = new SchemaCatalog({ registry, refreshMs: 0 });
const factory = new SinkRecordFactory(encoder, tenant);
const backend = new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: prefix, refresh: 'wait_for' });
const sink = new SearchSink({ backend, indexPrefix: prefix, schemas: catalog });
const signal = new AbortController().signal;

const customerIndex = `${prefix}${tenant}-customer`;
const orderIndex = `${prefix}${tenant}-order`;

type Mapping = Record<string, { type?: string; format?: string; fields?: Record<string, { type: string }>; properties?: Mapping }>;

async function properties(index: string): Promise<Mapping> {
  const { body } = await backend.client.indices.getMapping({ index: [index] });
  return (body[index]?.mappings?.properties ?? {}) as Mapping;
}

async function ids(index: string, query: Record<string, unknown>): Promise<string[]> {
  const { body } = await backend.client.search({ index: [index], body: { query } as never });
  return body.hits.hits.map((h) => String(h._id)).sort();
}

async function evolvingSchema(extra: object[]): Promise<string> {
  return JSON.stringify({
    type: 'record',
    name: 'Reading',
    namespace: 'itest',
    fields: [{ name: 'id', type: 'string' }, { name: 'label', type: 'string' }, ...extra],
  });
}

beforeAll(async () => {
  await registerSchemas(registry);
  await sink.connect();
});

afterAll(async () => {
  await backend.client.indices.delete({ index: [`${prefix}*`], ignore_unavailable: true }).catch(() => undefined);
  await backend.deleteTemplates().catch(() => undefined);
  for (const suffix of ['', '?permanent=true'])
    await fetch(`${REGISTRY_URL}/subjects/entity.${evolving}${suffix}`, { method: 'DELETE' }).catch(() => undefined);
  await sink.close();
});

describe('mappings from the Avro schemas on OpenSearch', () => {
  it('customers and orders get the derived types, queries use them', async () => {
    const customers = await decodeSinkRecords(catalog, [await factory.customer('c1', 1), await factory.customer('c2', 1, { name: 'Grace Hopper' })]);
    const orders = await decodeSinkRecords(catalog, [
      await orderSinkRecord(factory, encoder, 'o1', 1, { customerId: 'c1', amountCents: 1250, items: [{ sku: 'SKU-1', qty: 2 }] }),
      await orderSinkRecord(factory, encoder, 'o2', 1, { customerId: 'c2', amountCents: 99, status: 'paid' }),
    ]);
    expect(customers[0]!.payloadSchemaId).toEqual(expect.any(Number));
    expect(await sink.writeBatch([...customers, ...orders], { signal })).toEqual(Array(4).fill({ status: 'written' }));

    const customer = await properties(customerIndex);
    expect(customer.createdAt).toMatchObject({ type: 'date' });
    expect(customer.email).toEqual({ type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } });
    expect(customer.id).toEqual({ type: 'keyword' });
    expect(customer.tier).toEqual({ type: 'keyword' });
    expect(customer['@mesh']?.properties).toMatchObject({ revision: { type: 'long' }, occurredAt: { type: 'date' }, tenant: { type: 'keyword' } });
    const order = await properties(orderIndex);
    expect(order).toMatchObject({
      customerId: { type: 'keyword' },
      amountCents: { type: 'long' },
      status: { type: 'keyword' },
      items: { properties: { sku: { type: 'text' }, qty: { type: 'long' } } },
    });

    // createdAt is epoch millis in the documents; the range is written with ISO dates.
    expect(await ids(customerIndex, { range: { createdAt: { gte: '2025-03-01T00:00:00Z', lt: '2025-03-02T00:00:00Z' } } })).toEqual(['c1', 'c2']);
    expect(await ids(customerIndex, { range: { createdAt: { gte: '2025-03-02T00:00:00Z' } } })).toEqual([]);
    expect(await ids(customerIndex, { term: { 'email.keyword': 'c2@example.com' } })).toEqual(['c2']);
    expect(await ids(customerIndex, { match: { name: 'grace' } })).toEqual(['c2']);
    expect(await ids(orderIndex, { term: { customerId: 'c1' } })).toEqual(['o1']);
    expect(await ids(orderIndex, { range: { '@mesh.revision': { gte: 1 } } })).toEqual(['o1', 'o2']);
  });

  it('puts one template per entity type above the base one, and reports what it applied', async () => {
    const { body } = await backend.client.indices.getIndexTemplate({ name: `${prefix}*` });
    const byName = new Map(body.index_templates.map((t) => [t.name, t.index_template]));
    const base = byName.get(backend.templateName);
    const entity = byName.get(backend.entityTemplateName('customer'));
    expect(entity?.index_patterns).toEqual([`${prefix}*-customer`]);
    expect(Number(entity?.priority)).toBeGreaterThan(Number(base?.priority));
    expect(byName.has(backend.entityTemplateName('order'))).toBe(true);
    const health = await sink.health();
    expect(health.details?.mappings).toMatchObject({
      applied: expect.arrayContaining([expect.stringMatching(/^customer@\d+$/), expect.stringMatching(/^order@\d+$/)]),
      issues: [],
    });
  });

  it('an evolved schema (a new optional field) gets the field mapped on the existing index', async () => {
    const v1 = await registerSchema(registry, { subject: `entity.${evolving}`, file: 'v1', schema: await evolvingSchema([]) });
    const first = await decodeSinkRecords(catalog, [
      await factory.sinkRecord({
        entityType: evolving,
        id: 'r1',
        revision: 1,
        op: 'upsert',
        payload: await encoder.encode(evolving, { id: 'r1', label: 'one' }),
      }),
    ]);
    expect(first[0]!.payloadSchemaId).toBe(v1.id);
    expect(await sink.writeBatch(first, { signal })).toEqual([{ status: 'written' }]);
    const index = `${prefix}${tenant}-${evolving}`;
    expect((await properties(index)).seenAt).toBeUndefined();

    const v2 = await registerSchema(registry, {
      subject: `entity.${evolving}`,
      file: 'v2',
      schema: await evolvingSchema([{ name: 'seenAt', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null }]),
    });
    expect(v2.id).not.toBe(v1.id);
    const seenAt = Date.parse('2025-06-01T08:00:00Z');
    const second = await decodeSinkRecords(catalog, [
      await factory.sinkRecord({
        entityType: evolving,
        id: 'r2',
        revision: 1,
        op: 'upsert',
        payload: await encoder.encode(evolving, { id: 'r2', label: 'two', seenAt }),
      }),
    ]);
    expect(await sink.writeBatch(second, { signal })).toEqual([{ status: 'written' }]);
    // Without the mapping the engine would have guessed `long` for the number.
    expect((await properties(index)).seenAt).toMatchObject({ type: 'date' });
    expect(await ids(index, { range: { seenAt: { gte: '2025-06-01T00:00:00Z' } } })).toEqual(['r2']);
  });

  it('an existing index whose guessed type conflicts is reported in health; its writes go on', async () => {
    // An index from before the mappings: the engine took createdAt for a long.
    const legacy = `${prefix}legacy${run}-customer`;
    await backend.client.indices.create({ index: legacy, body: { mappings: { properties: { createdAt: { type: 'long' } } } } });
    const fresh = new SearchSink({
      backend: new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: prefix, refresh: 'wait_for' }),
      indexPrefix: prefix,
      schemas: catalog,
    });
    const legacyFactory = new SinkRecordFactory(encoder, `legacy${run}`);
    const records = await decodeSinkRecords(catalog, [await legacyFactory.customer('l1', 1), await factory.customer('c3', 1)]);
    expect(await fresh.writeBatch(records, { signal })).toEqual([{ status: 'written' }, { status: 'written' }]);
    const health = await fresh.health();
    expect(health.ok).toBe(true);
    expect(health.details?.mappings).toMatchObject({ issues: [{ entityType: 'customer', target: legacy, reason: expect.stringMatching(/createdAt/) }] });
    expect((await properties(legacy)).createdAt).toEqual({ type: 'long' });
    expect((await properties(customerIndex)).createdAt).toMatchObject({ type: 'date' });
    await fresh.close();
  });

  it("a longer prefix's indexes (another sink's) are left alone when fields are added to existing indexes", async () => {
    const inner = new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: `${prefix}eu-`, refresh: 'wait_for' });
    try {
      await inner.connect();
      // Another sink's index, created from its own template, with a type ours would conflict with.
      const theirs = `${prefix}eu-globex-order`;
      await inner.client.indices.create({ index: theirs, body: { mappings: { properties: { amountCents: { type: 'keyword' } } } } });
      const { body } = await inner.client.indices.getMapping({ index: [theirs] });
      expect(body[theirs]?.mappings?._meta).toEqual({ managedBy: 'sink-search', indexPrefix: `${prefix}eu-` });

      const fresh = new SearchSink({
        backend: new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: prefix, refresh: 'wait_for' }),
        indexPrefix: prefix,
        schemas: catalog,
      });
      const records = await decodeSinkRecords(catalog, [await orderSinkRecord(factory, encoder, 'o9', 1, { customerId: 'c1', amountCents: 5 })]);
      expect(await fresh.writeBatch(records, { signal })).toEqual([{ status: 'written' }]);
      expect((await fresh.health()).details?.mappings).toMatchObject({ applied: [expect.stringMatching(/^order@\d+$/)], issues: [] });
      expect((await properties(theirs)).amountCents).toEqual({ type: 'keyword' });
      await fresh.close();
    } finally {
      await inner.deleteTemplates();
      await inner.close();
    }
  });

  it('a registry that cannot be reached fails the batch with a retryable CONNECTION_ERROR, writing nothing', async () => {
    const unreachable = new SchemaCatalog({ registry: new SchemaRegistry({ host: 'http://127.0.0.1:1', retry: { retries: 0 } }) });
    const cut = new SearchSink({ backend: new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: prefix }), indexPrefix: prefix, schemas: unreachable });
    const records = await decodeSinkRecords(catalog, [await new SinkRecordFactory(encoder, `cut${run}`).customer('x1', 1)]);
    await expect(cut.writeBatch(records, { signal })).rejects.toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect((await backend.client.indices.exists({ index: `${prefix}cut${run}-customer` })).body).toBe(false);
    await cut.close();
  });
});
