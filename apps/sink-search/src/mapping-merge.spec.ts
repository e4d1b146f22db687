import { describe, expect, it } from 'vitest';
import { mergeProperties } from './mapping-merge.js';

describe('mergeProperties', () => {
  it('keeps the fields of both, merging objects field by field', () => {
    const v1 = { id: { type: 'keyword' }, address: { properties: { zip: { type: 'keyword' } } } };
    const v2 = { id: { type: 'keyword' }, phone: { type: 'text' }, address: { properties: { city: { type: 'text' } } } };
    expect(mergeProperties(v1, v2)).toEqual({
      id: { type: 'keyword' },
      phone: { type: 'text' },
      address: { properties: { zip: { type: 'keyword' }, city: { type: 'text' } } },
    });
  });

  it('the later one wins a field mapped differently; the inputs are not changed', () => {
    const v1 = { blob: { type: 'binary' }, nested: { properties: { a: { type: 'long' } } } };
    const v2 = { blob: { type: 'text' }, nested: { type: 'flat_object' } };
    expect(mergeProperties(v1, v2)).toEqual({ blob: { type: 'text' }, nested: { type: 'flat_object' } });
    expect(v1).toEqual({ blob: { type: 'binary' }, nested: { properties: { a: { type: 'long' } } } });
  });
});
