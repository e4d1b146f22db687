import { describe, expect, it } from 'vitest';
import {
  baseTemplate,
  baseTemplateName,
  belongsToPrefix,
  entityIndexPattern,
  entityTemplate,
  entityTemplateName,
  templateNamePatterns,
} from './index-templates.js';

describe('index templates', () => {
  it('names and patterns: base <prefix>template for <prefix>*, entity <prefix>entity-<type> for <prefix>*-<type>', () => {
    expect(baseTemplateName('Mesh-')).toBe('mesh-template');
    expect(entityTemplateName('Mesh-', 'Billing.Invoice_Line')).toBe('mesh-entity-billing.invoice_line');
    expect(entityIndexPattern('mesh-', 'customer')).toBe('mesh-*-customer');
    expect(templateNamePatterns('mesh-it-1-')).toEqual(['mesh-it-1-template', 'mesh-it-1-entity-*']);
  });

  it('the entity template repeats the base settings at a higher priority, keeping dynamic mapping', () => {
    const base = baseTemplate('mesh-', 0);
    const entity = entityTemplate('mesh-', 'customer', { id: { type: 'keyword' } }, 0);
    expect(entity.priority).toBeGreaterThan(base.priority);
    expect(entity.template.settings).toEqual(base.template.settings);
    const _meta = { managedBy: 'sink-search', indexPrefix: 'mesh-' };
    expect(entity.template.mappings).toEqual({ dynamic: true, _meta, properties: { id: { type: 'keyword' } } });
    expect(base.template.mappings).toEqual({ dynamic: true, _meta });
  });

  it('a longer prefix (more specific) wins over a shorter one; base and entity priorities never collide', () => {
    const priorities = ['mesh-', 'mesh-it-1234-'].flatMap((p) => [baseTemplate(p, 0).priority, entityTemplate(p, 'customer', {}, 0).priority]);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    expect(new Set(priorities).size).toBe(4);
  });

  it('an existing index belongs to the prefix when stamped with it, or not stamped at all', () => {
    expect(belongsToPrefix({ indexPrefix: 'mesh-' }, 'Mesh-')).toBe(true);
    expect(belongsToPrefix(undefined, 'mesh-')).toBe(true);
    expect(belongsToPrefix({ indexPrefix: 'mesh-eu-' }, 'mesh-')).toBe(false);
  });
});
