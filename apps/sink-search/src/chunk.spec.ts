import { describe, expect, it } from 'vitest';
import { chunk, itemBytes } from './chunk.js';
import type { BulkItem } from './search-backend.js';

const item = (id: string, size = 10): BulkItem => ({ action: 'index', index: 'i', id, version: 1, doc: { v: 'x'.repeat(size) } });

describe('chunk', () => {
  it('cuts by item count', () => {
    const parts = chunk([item('1'), item('2'), item('3')], 2, 1_000_000);
    expect(parts.map((p) => p.map((i) => i.id))).toEqual([['1', '2'], ['3']]);
  });

  it('cuts by bytes, a bigger item alone', () => {
    const small = itemBytes(item('1'));
    const parts = chunk([item('1'), item('2'), item('3', 500), item('4')], 100, small * 2);
    expect(parts.map((p) => p.map((i) => i.id))).toEqual([['1', '2'], ['3'], ['4']]);
  });
});
