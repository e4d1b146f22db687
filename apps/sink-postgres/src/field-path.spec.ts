import { describe, expect, it } from 'vitest';
import { parseFieldPath, resolveFieldPath } from './field-path.js';

describe('field paths', () => {
  it('parses names, nesting and indexes', () => {
    expect(parseFieldPath('email')).toEqual(['email']);
    expect(parseFieldPath('address.zip')).toEqual(['address', 'zip']);
    expect(parseFieldPath('items[0].sku')).toEqual(['items', 0, 'sku']);
    expect(parseFieldPath('m[1][2]')).toEqual(['m', 1, 2]);
  });

  it('refuses what is not a path', () => {
    expect(() => parseFieldPath('')).toThrow('empty field path');
    expect(() => parseFieldPath('a..b')).toThrow('"a..b" is not a field path');
    expect(() => parseFieldPath('items[*].sku')).toThrow('is not a field path');
  });

  it('resolves values; a path leading nowhere is undefined', () => {
    const payload = { email: 'a@b.c', address: { zip: '10115' }, items: [{ sku: 's-1' }], nothing: null };
    expect(resolveFieldPath(payload, ['email'])).toBe('a@b.c');
    expect(resolveFieldPath(payload, ['address', 'zip'])).toBe('10115');
    expect(resolveFieldPath(payload, ['items', 0, 'sku'])).toBe('s-1');
    expect(resolveFieldPath(payload, ['items', 3, 'sku'])).toBeUndefined();
    expect(resolveFieldPath(payload, ['nothing', 'x'])).toBeUndefined();
    expect(resolveFieldPath(payload, ['email', 'length'])).toBeUndefined();
    expect(resolveFieldPath(payload, ['toString'])).toBeUndefined();
    expect(resolveFieldPath(null, ['email'])).toBeUndefined();
  });
});
