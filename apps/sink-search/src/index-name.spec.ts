import { describe, expect, it } from 'vitest';
import { indexName, indexPattern, templatePriority } from './index-name.js';

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

  it('ranks a more specific prefix above the one it extends, so their templates never tie', () => {
    expect(templatePriority('mesh-eu-')).toBeGreaterThan(templatePriority('mesh-'));
    expect(templatePriority('mesh-')).not.toBe(templatePriority('mesh-eu-'));
  });
});
