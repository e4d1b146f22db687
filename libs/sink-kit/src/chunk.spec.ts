import { describe, expect, it } from 'vitest';
import { chunkBy } from './chunk.js';

const item = (id: string, size = 10) => ({ id, size });
const sizeOf = (i: { size: number }) => i.size;
const ids = (parts: { id: string }[][]) => parts.map((p) => p.map((i) => i.id));

describe('chunkBy', () => {
  it('cuts by item count', () => {
    expect(ids(chunkBy([item('1'), item('2'), item('3')], { maxCount: 2, maxBytes: 1_000_000, sizeOf }))).toEqual([['1', '2'], ['3']]);
  });

  it('cuts by bytes, a bigger item alone', () => {
    expect(ids(chunkBy([item('1'), item('2'), item('3', 500), item('4')], { maxCount: 100, maxBytes: 20, sizeOf }))).toEqual([['1', '2'], ['3'], ['4']]);
  });

  it('a chunk may fill maxBytes exactly; the next byte starts a new one', () => {
    expect(ids(chunkBy([item('1'), item('2'), item('3', 1)], { maxCount: 100, maxBytes: 20, sizeOf }))).toEqual([['1', '2'], ['3']]);
  });

  it('keeps the order, and gives nothing for nothing', () => {
    const items = Array.from({ length: 7 }, (_, i) => item(String(i), 3));
    expect(chunkBy(items, { maxCount: 3, maxBytes: 1000, sizeOf }).flat()).toEqual(items);
    expect(chunkBy([], { maxCount: 3, maxBytes: 1000, sizeOf })).toEqual([]);
  });

  it('measures each item once', () => {
    let calls = 0;
    chunkBy([item('1'), item('2'), item('3')], { maxCount: 2, maxBytes: 15, sizeOf: (i) => (calls++, i.size) });
    expect(calls).toBe(3);
  });

  it('refuses limits that cannot hold an item', () => {
    expect(() => chunkBy([item('1')], { maxCount: 0, maxBytes: 10, sizeOf })).toThrow('maxCount must be an integer ≥ 1, got 0');
    expect(() => chunkBy([item('1')], { maxCount: 1.5, maxBytes: 10, sizeOf })).toThrow('maxCount must be an integer ≥ 1');
    expect(() => chunkBy([item('1')], { maxCount: 1, maxBytes: 0, sizeOf })).toThrow('maxBytes must be > 0, got 0');
    expect(() => chunkBy([item('1')], { maxCount: 1, maxBytes: Number.NaN, sizeOf })).toThrow('maxBytes must be > 0');
  });
});
