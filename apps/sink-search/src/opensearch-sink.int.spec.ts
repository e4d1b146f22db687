// SearchSink on the real OpenSearch: a unique index prefix per run, deleted afterwards.
import { randomUUID } from 'node:crypto';
import { stackEndpoints } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenSearchBackend } from './opensearch-backend.js';
import { SearchSink } from './search-sink.js';
import { record } from './test-support/records.js';

const { SEARCH_URL } = stackEndpoints();
const prefix = `mesh-it-${randomUUID().slice(0, 8)}-`;
const backend = new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: prefix, refresh: 'wait_for' });
const sink = new SearchSink({ backend, indexPrefix: prefix });
const signal = new AbortController().signal;

beforeAll(async () => {
  await sink.connect();
});

afterAll(async () => {
  await backend.client.indices.delete({ index: `${prefix}*`, ignore_unavailable: true }).catch(() => undefined);
  await backend.deleteTemplates().catch(() => undefined);
  await sink.close();
});

async function getDoc(index: string, id: string) {
  const res = await backend.client.get({ index, id }, { ignore: [404] });
  return res.body as { found: boolean; _version?: number; _source?: Record<string, unknown> };
}

describe('SearchSink on OpenSearch', () => {
  it('creates the template and bulk-indexes searchable documents', async () => {
    const records = [record({ id: 'a', revision: 1 }), record({ id: 'b', revision: 2 }), record({ id: 'a', revision: 3 })];
    expect(await sink.writeBatch(records, { signal })).toEqual([{ status: 'noop', why: 'superseded-in-batch' }, { status: 'written' }, { status: 'written' }]);
    const index = sink.indexFor(records[0]!);
    const hits = await backend.client.search({ index, body: { query: { match_all: {} } } });
    expect(hits.body.hits.hits.map((h) => h._id).sort()).toEqual(['a', 'b']);
    expect(await getDoc(index, 'a')).toMatchObject({ found: true, _version: 3, _source: { name: 'n-a-3', '@mesh': { revision: 3 } } });
    const settings = await backend.client.indices.getSettings({ index });
    expect(settings.body[index]?.settings?.index?.number_of_replicas).toBe('0');
  });

  it('an older revision → older-revision with the stored one; equal → noop', async () => {
    await sink.writeBatch([record({ id: 'o', revision: 5 })], { signal });
    const outcomes = await sink.writeBatch([record({ id: 'o', revision: 4 }), record({ id: 'o2', revision: 1 })], { signal });
    expect(outcomes).toEqual([{ status: 'older-revision', currentRevision: 5 }, { status: 'written' }]);
    expect(await sink.writeBatch([record({ id: 'o', revision: 5 })], { signal })).toEqual([{ status: 'noop', why: 'equal-revision' }]);
    expect((await getDoc(sink.indexFor({ tenant: 'acme', entityType: 'customer' }), 'o'))._source).toMatchObject({ name: 'n-o-5' });
  });

  it('deletes with the external version; an older upsert after it is refused', async () => {
    const index = sink.indexFor({ tenant: 'acme', entityType: 'customer' });
    await sink.writeBatch([record({ id: 'd', revision: 1 })], { signal });
    expect(await sink.writeBatch([record({ id: 'd', revision: 2, op: 'delete' })], { signal })).toEqual([{ status: 'written' }]);
    expect((await getDoc(index, 'd')).found).toBe(false);
    expect(await sink.writeBatch([record({ id: 'd', revision: 1 })], { signal })).toEqual([{ status: 'older-revision', currentRevision: 2 }]);
    expect(await sink.writeBatch([record({ id: 'never', revision: 3, op: 'delete' })], { signal })).toEqual([{ status: 'written' }]);
  });

  it('a mapping conflict fails its record as VALIDATION_FAIL; the rest of the batch is written', async () => {
    const entityType = 'measure';
    await sink.writeBatch([record({ id: 'm0', revision: 1, entityType, payload: { value: 42 } })], { signal });
    const outcomes = await sink.writeBatch(
      [
        record({ id: 'm1', revision: 1, entityType, payload: { value: 7 } }),
        record({ id: 'm2', revision: 1, entityType, payload: { value: 'not a number' } }),
        record({ id: 'm3', revision: 1, entityType, payload: { value: 8 } }),
      ],
      { signal },
    );
    expect(outcomes[0]).toEqual({ status: 'written' });
    expect(outcomes[1]).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAIL', retryable: false } });
    expect(String((outcomes[1] as { error: Error }).error.message)).toMatch(/m2.*mapper_parsing_exception|document_parsing_exception/);
    expect(outcomes[2]).toEqual({ status: 'written' });
    const index = sink.indexFor({ tenant: 'acme', entityType });
    expect((await getDoc(index, 'm3')).found).toBe(true);
    expect((await getDoc(index, 'm2')).found).toBe(false);
  });

  it('health reports the cluster', async () => {
    expect(await sink.health()).toMatchObject({ ok: true, details: { status: expect.any(String) } });
  });

  it('an unreachable engine makes writeBatch throw', async () => {
    const down = new SearchSink({
      backend: new OpenSearchBackend({ node: 'http://127.0.0.1:1', indexPrefix: prefix, requestTimeoutMs: 2000 }),
      indexPrefix: prefix,
    });
    await expect(down.writeBatch([record({ id: 'x', revision: 1 })], { signal })).rejects.toMatchObject({ name: 'ConnectionError' });
    await down.close();
  });
});
