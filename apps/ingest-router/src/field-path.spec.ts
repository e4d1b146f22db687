import { describe, expect, it } from 'vitest';
import { parseFieldPath, resolveFieldPath } from './field-path.js';

const resolve = (root: unknown, path: string) => resolveFieldPath(root, parseFieldPath(path));

describe('parseFieldPath', () => {
  it('parses names, nested names, indexes and [*]', () => {
    expect(parseFieldPath('email')).toEqual([{ kind: 'key', key: 'email' }]);
    expect(parseFieldPath('address.zip')).toEqual([
      { kind: 'key', key: 'address' },
      { kind: 'key', key: 'zip' },
    ]);
    expect(parseFieldPath('items[2].qty')).toEqual([{ kind: 'key', key: 'items' }, { kind: 'index', index: 2 }, { kind: 'key', key: 'qty' }]);
    expect(parseFieldPath('m[*][0]')).toEqual([{ kind: 'key', key: 'm' }, { kind: 'each' }, { kind: 'index', index: 0 }]);
  });

  it.each(['', 'a..b', '.a', 'a.', 'a[', 'a[-1]', 'a[x]', '[0]', '1a', 'a b', 'a[0]b'])('rejects %j', (bad) => {
    expect(() => parseFieldPath(bad)).toThrow(/field path/);
  });
});

describe('resolveFieldPath', () => {
  const order = { id: 'o1', address: { zip: '10115' }, items: [{ sku: 'a', qty: 1 }, { sku: 'b' }] };

  it('resolves plain and nested fields, missing ones as undefined', () => {
    expect(resolve(order, 'id')).toEqual([{ path: 'id', value: 'o1' }]);
    expect(resolve(order, 'address.zip')).toEqual([{ path: 'address.zip', value: '10115' }]);
    expect(resolve(order, 'address.city')).toEqual([{ path: 'address.city', value: undefined }]);
    expect(resolve(order, 'nope.deeper')).toEqual([{ path: 'nope.deeper', value: undefined }]);
    expect(resolve(order, 'id.length')).toEqual([{ path: 'id.length', value: undefined }]);
  });

  it('resolves array indexes, past the end as undefined', () => {
    expect(resolve(order, 'items[1].sku')).toEqual([{ path: 'items[1].sku', value: 'b' }]);
    expect(resolve(order, 'items[5].sku')).toEqual([{ path: 'items[5].sku', value: undefined }]);
  });

  it('fans [*] out over the elements with their concrete paths', () => {
    expect(resolve(order, 'items[*].qty')).toEqual([
      { path: 'items[0].qty', value: 1 },
      { path: 'items[1].qty', value: undefined },
    ]);
    expect(resolve({ items: [] }, 'items[*].qty')).toEqual([]);
    expect(resolve({}, 'items[*].qty')).toEqual([]);
    expect(resolve({ items: 'x' }, 'items[*].qty')).toEqual([{ path: 'items[*].qty', value: undefined }]);
  });

  it('reads only own properties, and Map entries', () => {
    expect(resolve({}, 'constructor')).toEqual([{ path: 'constructor', value: undefined }]);
    expect(resolve({ attrs: new Map([['k', 'v']]) }, 'attrs.k')).toEqual([{ path: 'attrs.k', value: 'v' }]);
  });
});
