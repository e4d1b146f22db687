// Cuts a bulk into requests of at most maxItems items and maxBytes of NDJSON (a bigger item is a
// request of its own).
import type { BulkItem } from './search-backend.js';

export function itemBytes(item: BulkItem): number {
  const action = JSON.stringify({ [item.action]: { _index: item.index, _id: item.id, version: item.version, version_type: 'external' } });
  const doc = item.doc === undefined ? 0 : Buffer.byteLength(JSON.stringify(item.doc)) + 1;
  return Buffer.byteLength(action) + 1 + doc;
}

export function chunk<T extends BulkItem>(items: readonly T[], maxItems: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = itemBytes(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
