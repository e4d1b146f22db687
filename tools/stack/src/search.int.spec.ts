// The stack's OpenSearch, driven by the official client: mappings, bulk indexing, search, and
// external versioning (what the search sink relies on to drop stale updates).
import { randomUUID } from 'node:crypto';
import { Client, errors } from '@opensearch-project/opensearch';
import { stackEndpoints } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const searchUrl = stackEndpoints().SEARCH_URL;
const index = `stack-int-${randomUUID()}`;

interface Product {
  sku: string;
  title: string;
  price: number;
  updatedAt: string;
}

const docs: Product[] = [
  { sku: 'A-1', title: 'blue kafka mug', price: 12.5, updatedAt: '2025-01-01T10:00:00Z' },
  { sku: 'A-2', title: 'red kafka poster', price: 20, updatedAt: '2025-01-02T10:00:00Z' },
  { sku: 'B-1', title: 'blue search sticker', price: 2, updatedAt: '2025-01-03T10:00:00Z' },
];

describe(`OpenSearch at ${searchUrl}`, () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ node: searchUrl, requestTimeout: 30_000 });
    const created = await client.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          dynamic: 'strict',
          properties: {
            sku: { type: 'keyword' },
            title: { type: 'text' },
            price: { type: 'double' },
            updatedAt: { type: 'date' },
          },
        },
      },
    });
    expect(created.body.acknowledged).toBe(true);
  });

  afterAll(async () => {
    if (!client) return;
    await client.indices.delete({ index }, { ignore: [404] });
    const exists = await client.indices.exists({ index });
    expect(exists.body).toBe(false);
    await client.close();
  });

  it('keeps the explicit mapping', async () => {
    const res = await client.indices.getMapping({ index });
    const props = res.body[index]?.mappings.properties ?? {};
    expect(props.sku).toEqual({ type: 'keyword' });
    expect(props.price).toEqual({ type: 'double' });
    expect(props.updatedAt).toEqual({ type: 'date' });
  });

  it('bulk-indexes documents and finds them by full-text and term queries', async () => {
    const bulk = await client.bulk({
      refresh: true,
      body: docs.flatMap((d) => [{ index: { _index: index, _id: d.sku } }, d]),
    });
    expect(bulk.body.errors).toBe(false);
    expect(bulk.body.items.map((i) => i.index?.status)).toEqual([201, 201, 201]);

    const blue = await client.search({
      index,
      body: { query: { match: { title: 'blue' } }, sort: [{ sku: { order: 'asc' } }] },
    });
    expect(blue.body.hits.total).toMatchObject({ value: 2 });
    expect(blue.body.hits.hits.map((h) => h._id)).toEqual(['A-1', 'B-1']);
    expect(blue.body.hits.hits[0]?._source).toEqual(docs[0]);

    const cheap = await client.search({
      index,
      body: { query: { bool: { filter: [{ range: { price: { lt: 15 } } }, { prefix: { sku: 'A-' } }] } } },
    });
    expect(cheap.body.hits.hits.map((h) => h._id)).toEqual(['A-1']);

    const count = await client.count({ index });
    expect(count.body.count).toBe(docs.length);
  });

  it('rejects an older external version with 409 and keeps the newer document', async () => {
    const id = 'versioned-1';
    const v5 = await client.index({
      index,
      id,
      version: 5,
      version_type: 'external',
      refresh: true,
      body: { sku: id, title: 'version five', price: 5, updatedAt: '2025-02-05T00:00:00Z' },
    });
    expect(v5.statusCode).toBe(201);
    expect(v5.body._version).toBe(5);

    let conflict: unknown;
    try {
      await client.index({
        index,
        id,
        version: 3,
        version_type: 'external',
        body: { sku: id, title: 'version three', price: 3, updatedAt: '2025-02-03T00:00:00Z' },
      });
    } catch (err) {
      conflict = err;
    }
    expect(conflict).toBeInstanceOf(errors.ResponseError);
    const rejected = conflict as errors.ResponseError;
    expect(rejected.statusCode).toBe(409);
    expect(rejected.body.error.type).toBe('version_conflict_engine_exception');

    const current = await client.get({ index, id });
    expect(current.body._version).toBe(5);
    expect(current.body._source).toMatchObject({ title: 'version five', price: 5 });
  });
});
