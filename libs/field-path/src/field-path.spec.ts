import { describe, expect, it } from 'vitest';
import {
  FieldPathError,
  formatFieldPath,
  namesManyValues,
  parseFieldPath,
  parseSingleValuePath,
  resolveFieldPath,
  valueAt,
  type PathSegment,
} from './field-path.js';

const resolve = (root: unknown, path: string) => resolveFieldPath(root, parseFieldPath(path));
const key = (k: string): PathSegment => ({ kind: 'key', key: k });
const index = (i: number): PathSegment => ({ kind: 'index', index: i });
const each: PathSegment = { kind: 'each' };

// From apps/ingest-router/src/field-path.spec.ts (the data-quality rules' paths).
describe('parseFieldPath', () => {
  it('parses names, nested names, indexes and [*]', () => {
    expect(parseFieldPath('email')).toEqual([{ kind: 'key', key: 'email' }]);
    expect(parseFieldPath('address.zip')).toEqual([
      { kind: 'key', key: 'address' },
      { kind: 'key', key: 'zip' },
    ]);
    expect(parseFieldPath('items[2].qty')).toEqual([
      { kind: 'key', key: 'items' },
      { kind: 'index', index: 2 },
      { kind: 'key', key: 'qty' },
    ]);
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

// From apps/sink-postgres/src/field-path.spec.ts (the column mappings' paths), through the
// shared API: segments are tagged ({ kind }), single values come from valueAt.
describe('field paths of column mappings', () => {
  it('parses names, nesting and indexes', () => {
    expect(parseFieldPath('email')).toEqual([key('email')]);
    expect(parseFieldPath('address.zip')).toEqual([key('address'), key('zip')]);
    expect(parseFieldPath('items[0].sku')).toEqual([key('items'), index(0), key('sku')]);
    expect(parseFieldPath('m[1][2]')).toEqual([key('m'), index(1), index(2)]);
  });

  it('refuses what is not a path', () => {
    expect(() => parseFieldPath('')).toThrow('empty field path');
    expect(() => parseFieldPath('a..b')).toThrow('"a..b" is not a field path');
    // items[*].sku is a path now (one syntax); where one value is needed it is refused:
    expect(() => parseSingleValuePath('items[*].sku')).toThrow('"items[*].sku" names one value per element of a list ([*]), but one value is needed here');
  });

  it('resolves values; a path leading nowhere is undefined', () => {
    const payload = { email: 'a@b.c', address: { zip: '10115' }, items: [{ sku: 's-1' }], nothing: null };
    const at = (root: unknown, path: string) => valueAt(root, parseFieldPath(path));
    expect(at(payload, 'email')).toBe('a@b.c');
    expect(at(payload, 'address.zip')).toBe('10115');
    expect(at(payload, 'items[0].sku')).toBe('s-1');
    expect(at(payload, 'items[3].sku')).toBeUndefined();
    expect(at(payload, 'nothing.x')).toBeUndefined();
    expect(at(payload, 'email.length')).toBeUndefined();
    expect(at(payload, 'toString')).toBeUndefined();
    expect(at(null, 'email')).toBeUndefined();
  });
});

describe('one syntax: the union of both', () => {
  it.each([
    ['email', [key('email')]],
    ['_private', [key('_private')]],
    ['a1.b_2', [key('a1'), key('b_2')]],
    ['address.zip', [key('address'), key('zip')]],
    ['items[0].sku', [key('items'), index(0), key('sku')]],
    ['items[*].sku', [key('items'), each, key('sku')]],
    ['items[*]', [key('items'), each]],
    ['m[1][2]', [key('m'), index(1), index(2)]],
    ['m[*][*].v', [key('m'), each, each, key('v')]],
    ['orders[10].lines[*].sku', [key('orders'), index(10), key('lines'), each, key('sku')]],
  ])('accepts %j', (path, segments) => {
    expect(parseFieldPath(path)).toEqual(segments);
    expect(formatFieldPath(segments)).toBe(path);
  });

  it('reads an index with leading zeros as the number', () => {
    expect(parseFieldPath('items[007]')).toEqual([key('items'), index(7)]);
  });

  it('namesManyValues tells [*] paths apart', () => {
    expect(namesManyValues(parseFieldPath('items[0].sku'))).toBe(false);
    expect(namesManyValues(parseFieldPath('items[*].sku'))).toBe(true);
  });

  it("valueAt is resolveFieldPath's one value for every path without [*]", () => {
    const payload = { a: { b: [{ c: 1 }, null, { c: new Map([['d', 2]]) }] }, s: 'x', n: null };
    for (const path of ['a', 'a.b', 'a.b[0].c', 'a.b[1].c', 'a.b[2].c.d', 'a.b[9]', 's.length', 'n', 'n.x', 'zz', 'a.hasOwnProperty']) {
      const segments = parseFieldPath(path);
      expect(valueAt(payload, segments), path).toEqual(resolveFieldPath(payload, segments)[0]!.value);
    }
    expect(() => valueAt(payload, parseFieldPath('a.b[*].c'))).toThrow(TypeError);
  });

  it('parseSingleValuePath takes every path without [*]', () => {
    expect(parseSingleValuePath('items[0].sku')).toEqual([key('items'), index(0), key('sku')]);
    expect(() => parseSingleValuePath('items[*].sku')).toThrow('use an index, as in items[0].sku');
    expect(() => parseSingleValuePath('items[*].sku')).toThrow(
      expect.objectContaining({ name: 'FieldPathError', path: 'items[*].sku', problem: 'many-values' }),
    );
    expect(() => parseSingleValuePath('items[x]')).toThrow(expect.objectContaining({ problem: 'syntax' }));
  });
});

describe('refusals say what is wrong', () => {
  const problem = (path: string) => {
    try {
      parseFieldPath(path);
    } catch (err) {
      expect(err).toBeInstanceOf(FieldPathError);
      expect((err as FieldPathError).path).toBe(path);
      expect((err as Error).message).toContain('expected field names (letters, digits, _) joined by ".", each optionally followed by [n] or [*]');
      return (err as Error).message.replace(/ \(expected .*\)$/, '');
    }
    throw new Error(`${path} was accepted`);
  };

  it.each([
    ['', 'empty field path'],
    ['a..b', '"a..b" is not a field path: two dots in a row'],
    ['.a', '".a" is not a field path: it starts with "."'],
    ['a.', '"a." is not a field path: it ends with "."'],
    ['[0]', '"[0]" is not a field path: it starts with "[": a path starts with a field name, as in items[0]'],
    ['a.[0]', '"a.[0]" is not a field path: "[" right after ".": an index follows its field name directly, as in items[0]'],
    ['1a', '"1a" is not a field path: field name "1a" starts with a digit'],
    ['a.2b', '"a.2b" is not a field path: field name "2b" starts with a digit'],
    ['a b', '"a b" is not a field path: unexpected " " after "a": field names have letters, digits and _ only'],
    ['na me', '"na me" is not a field path: unexpected " " after "na": field names have letters, digits and _ only'],
    ['a-b', '"a-b" is not a field path: unexpected "-" after "a": field names have letters, digits and _ only'],
    ['a[0]b', '"a[0]b" is not a field path: unexpected "b" after "a[0]": a "." comes before the next field name'],
    ['a[', '"a[" is not a field path: the "[" at "[" is not closed'],
    ['a[0', '"a[0" is not a field path: the "[" at "[0" is not closed'],
    ['a[]', '"a[]" is not a field path: "[]" needs an index or *, as in items[0] or items[*]'],
    ['a[-1]', '"a[-1]" is not a field path: negative index [-1]: elements are counted from 0'],
    ['a[x]', '"a[x]" is not a field path: [x] is neither an index (digits) nor [*]'],
    ['a[1.5]', '"a[1.5]" is not a field path: [1.5] is neither an index (digits) nor [*]'],
    ['a[99999999999999999999]', '"a[99999999999999999999]" is not a field path: index [99999999999999999999] is too large'],
    ["a['k']", '"a[\'k\']" is not a field path: [\'k\'] is not an index: a field or map key is written after a ".", as in .k'],
    ['a["k"]', '"a[\\"k\\"]" is not a field path: ["k"] is not an index: a field or map key is written after a ".", as in .k'],
    ['a.*', '"a.*" is not a field path: "*" is not a field name: every element of a list is written [*], as in items[*].sku'],
    ['*', '"*" is not a field path: "*" is not a field name: every element of a list is written [*], as in items[*].sku'],
    ['$source', '"$source" is not a field path: "$" cannot start a field name (letters, digits and _ only, not starting with a digit)'],
    [' a', '" a" is not a field path: " " cannot start a field name (letters, digits and _ only, not starting with a digit)'],
    ['a.b ', '"a.b " is not a field path: unexpected " " after "a.b": field names have letters, digits and _ only'],
    ['a/b', '"a/b" is not a field path: unexpected "/" after "a": field names have letters, digits and _ only'],
    ['äb', '"äb" is not a field path: "ä" cannot start a field name (letters, digits and _ only, not starting with a digit)'],
  ])('refuses %j', (path, message) => {
    expect(problem(path)).toBe(message);
  });

  it('refuses what is not a string', () => {
    expect(() => parseFieldPath(undefined as unknown as string)).toThrow('a field path must be a string, got undefined');
  });
});
