import { describe, expect, it } from 'vitest';
import { indexName, indexPattern } from './index-name.js';

describe('indexName', () => {
  it('is <prefix><tenant>-<entityType>, lowercased', () => {
    expect(indexName('mesh-', 'Acme', 'Customer')).toBe('mesh-acme-customer');
  });

  it('replaces characters an index name may not hold', () => {
    expect(indexName('mesh-', 'a/b c', 'x*y?')).toBe('mesh-a_b_c-x_y_');
  });

  it('pattern covers the prefix', () => {
    expect(indexPattern('Mesh-IT-')).toBe('mesh-it-*');
  });
});
