// Bulk requests are cut with sink-kit's chunkBy, measuring items as their NDJSON lines (bulkItemBytes).
import { chunkBy } from '@ingest-mesh/sink-kit';
import { describe, expect, it } from 'vitest';
import { bulkItemBytes, type BulkItem } from './search-backend.js';

const item = (id: string, size = 10): BulkItem => ({ action: 'index', index: 'i', id, version: 1, doc: { v: 'x'.repeat(size) } });
const chunk = (items: BulkItem[], maxCount: number, maxBytes: number) => chunkBy(items, { maxCount, maxBytes, sizeOf: bulkItemBytes });

describe('bulk chunks', () => {
  it('cuts by item count', () => {
    const parts = chunk([item('1'), item('2'), item('3')], 2, 1_000_000);
    expect(parts.map((p) => p.map((i) => i.id))).toEqual([['1', '2'], ['3']]);
  });

  it('cuts by bytes, a bigger item alone', () => {
    const small = bulkItemBytes(item('1'));
    const parts = chunk([item('1'), item('2'), item('3', 500), item('4')], 100, small * 2);
    expect(parts.map((p) => p.map((i) => i.id))).toEqual([['1', '2'], ['3'], ['4']]);
  });
});

describe('bulkItemBytes', () => {
  it('counts the NDJSON lines of an item: the action line, and the document line of an index', () => {
    const action = '{"index":{"_index":"i","_id":"1","version":1,"version_type":"external"}}';
    const doc = '{"v":"xxxxxxxxxx"}';
    expect(bulkItemBytes(item('1'))).toBe(action.length + 1 + doc.length + 1);
    const del: BulkItem = { action: 'delete', index: 'i', id: 'ü', version: 2 };
    expect(bulkItemBytes(del)).toBe(Buffer.byteLength('{"delete":{"_index":"i","_id":"ü","version":2,"version_type":"external"}}') + 1);
  });
});
