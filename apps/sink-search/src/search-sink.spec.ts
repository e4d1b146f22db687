import { describe, expect, it } from 'vitest';
import { docKey } from './search-backend.js';
import { SearchSink } from './search-sink.js';
import { FakeBackend } from './test-support/fake-backend.js';
import { record } from './test-support/records.js';

const signal = new AbortController().signal;

describe('SearchSink.writeBatch', () => {
  it('sends one bulk with one action per document, external versions, and maps outcomes in order', async () => {
    const backend = new FakeBackend();
    const sink = new SearchSink({ backend });
    const records = [
      record({ id: 'a', revision: 1 }),
      record({ id: 'b', revision: 2 }),
      record({ id: 'a', revision: 3 }),
      record({ id: 'c', revision: 4, op: 'delete', tenant: 'Other' }),
    ];
    const outcomes = await sink.writeBatch(records, { signal });
    expect(outcomes).toEqual([{ status: 'noop', why: 'superseded-in-batch' }, { status: 'written' }, { status: 'written' }, { status: 'written' }]);
    expect(backend.bulks).toHaveLength(1);
    expect(backend.bulks[0]!.map((i) => [i.action, i.index, i.id, i.version])).toEqual([
      ['index', 'mesh-acme-customer', 'b', 2],
      ['index', 'mesh-acme-customer', 'a', 3],
      ['delete', 'mesh-other-customer', 'c', 4],
    ]);
    expect(backend.bulks[0]![1]!.doc).toMatchObject({ name: 'n-a-3', '@mesh': { tenant: 'acme', revision: 3, source: 'crm' } });
  });

  it('equal revisions with different payloads: the last one is sent, the earlier ones are superseded-in-batch', async () => {
    const backend = new FakeBackend();
    const records = [
      record({ id: 'a', revision: 2, payload: { name: 'first' } }),
      record({ id: 'a', revision: 2, payload: { name: 'second' } }),
      record({ id: 'a', revision: 2, payload: { name: 'last' } }),
    ];
    expect(await new SearchSink({ backend }).writeBatch(records, { signal })).toEqual([
      { status: 'noop', why: 'superseded-in-batch' },
      { status: 'noop', why: 'superseded-in-batch' },
      { status: 'written' },
    ]);
    expect(backend.bulks).toHaveLength(1);
    expect(backend.bulks[0]!.map((i) => [i.id, i.version, i.doc?.name])).toEqual([['a', 2, 'last']]);
  });

  it('an older revision after a newer one is superseded, never sent', async () => {
    const backend = new FakeBackend();
    const outcomes = await new SearchSink({ backend }).writeBatch([record({ id: 'a', revision: 5 }), record({ id: 'a', revision: 3 })], { signal });
    expect(outcomes).toEqual([{ status: 'written' }, { status: 'noop', why: 'superseded-in-batch' }]);
    expect(backend.bulks[0]!.map((i) => [i.id, i.version])).toEqual([['a', 5]]);
  });

  it('collapses per document: keys whose tenants differ only in case name one document', async () => {
    const backend = new FakeBackend();
    const outcomes = await new SearchSink({ backend }).writeBatch(
      [record({ id: 'a', revision: 1, tenant: 'ACME' }), record({ id: 'a', revision: 1, tenant: 'acme' })],
      { signal },
    );
    expect(outcomes).toEqual([{ status: 'noop', why: 'superseded-in-batch' }, { status: 'written' }]);
    expect(backend.bulks[0]!.map((i) => [i.index, i.id, i.doc?.['@mesh']])).toEqual([['mesh-acme-customer', 'a', expect.objectContaining({ tenant: 'acme' })]]);
  });

  it('a partial failure fails only its record', async () => {
    const backend = new FakeBackend((item) =>
      item.id === 'bad' ? { status: 400, errorType: 'mapper_parsing_exception', errorReason: 'failed to parse' } : { status: 201 },
    );
    const outcomes = await new SearchSink({ backend }).writeBatch(
      [record({ id: 'a', revision: 1 }), record({ id: 'bad', revision: 1 }), record({ id: 'c', revision: 1 })],
      { signal },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['written', 'failed', 'written']);
    expect(outcomes[1]).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAIL' } });
  });

  it('conflicts: the stated version, else one lookup for all unknown ones', async () => {
    const stated = (v: number) => ({
      status: 409,
      errorType: 'version_conflict_engine_exception',
      errorReason: `current version [${v}] is higher or equal to the one provided`,
    });
    const bare = { status: 409, errorType: 'version_conflict_engine_exception', errorReason: 'conflict' };
    const backend = new FakeBackend(
      (item) => ({ eq: stated(2), old: stated(9), u1: bare, u2: bare, gone: bare })[item.id] ?? { status: 201 },
      new Map([
        [docKey({ index: 'mesh-acme-customer', id: 'u1' }), 2],
        [docKey({ index: 'mesh-acme-customer', id: 'u2' }), 8],
      ]),
    );
    const ids = ['eq', 'old', 'u1', 'u2', 'gone'];
    const outcomes = await new SearchSink({ backend }).writeBatch(
      ids.map((id) => record({ id, revision: 2 })),
      { signal },
    );
    expect(outcomes).toEqual([
      { status: 'noop', why: 'equal-revision' },
      { status: 'older-revision', currentRevision: 9 },
      { status: 'noop', why: 'equal-revision' },
      { status: 'older-revision', currentRevision: 8 },
      { status: 'older-revision', currentRevision: 3 },
    ]);
    expect(backend.lookups).toHaveLength(1);
    expect(backend.lookups[0]!.map((r) => r.id)).toEqual(['u1', 'u2', 'gone']);
  });

  it('chunks by SINK_SEARCH_BULK_MAX_ITEMS', async () => {
    const backend = new FakeBackend();
    const outcomes = await new SearchSink({ backend, bulkMaxItems: 2 }).writeBatch(
      ['a', 'b', 'c', 'd', 'e'].map((id) => record({ id, revision: 1 })),
      { signal },
    );
    expect(outcomes.every((o) => o.status === 'written')).toBe(true);
    expect(backend.bulks.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('chunks by SINK_SEARCH_BULK_MAX_BYTES, a document bigger than the limit in a request of its own', async () => {
    const backend = new FakeBackend();
    const records = ['a', 'b', 'c', 'd'].map((id) => record({ id, revision: 1, payload: { name: id === 'c' ? 'x'.repeat(5000) : id } }));
    const outcomes = await new SearchSink({ backend, bulkMaxBytes: 1000 }).writeBatch(records, { signal });
    expect(outcomes.every((o) => o.status === 'written')).toBe(true);
    expect(backend.bulks.map((b) => b.map((i) => i.id))).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('a whole-request failure throws', async () => {
    const backend = new FakeBackend();
    backend.bulk = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9200'), { name: 'ConnectionError' });
    };
    await expect(new SearchSink({ backend }).writeBatch([record({ id: 'a', revision: 1 })], { signal })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses unusable bulk limits when it is built', () => {
    expect(() => new SearchSink({ backend: new FakeBackend(), bulkMaxItems: 0 })).toThrow('maxCount must be an integer ≥ 1, got 0');
    expect(() => new SearchSink({ backend: new FakeBackend(), bulkMaxBytes: -1 })).toThrow('maxBytes must be > 0, got -1');
  });

  it('uses the prefix and closes once', async () => {
    const backend = new FakeBackend();
    const sink = new SearchSink({ backend, indexPrefix: 'x-' });
    expect(sink.indexFor({ tenant: 'T', entityType: 'Order' })).toBe('x-t-order');
    await Promise.all([sink.close(), sink.close()]);
    expect(backend.closed).toBe(1);
  });
});
