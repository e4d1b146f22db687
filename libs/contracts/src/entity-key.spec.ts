import { describe, expect, it } from 'vitest';
import { entityKey, parseEntityKey } from './entity-key.js';

describe('entity key', () => {
  it('builds tenant:entityType:id and parses it back, the id keeping its colons', () => {
    const ref = { tenant: 'acme', entityType: 'customer', id: 'c:1:eu' };
    expect(entityKey(ref)).toBe('acme:customer:c:1:eu');
    expect(parseEntityKey(entityKey(ref))).toEqual(ref);
    expect(parseEntityKey(Buffer.from('acme:order:o-1'))).toEqual({ tenant: 'acme', entityType: 'order', id: 'o-1' });
  });

  it('parses an empty id, but no key without a tenant or an entity type', () => {
    expect(parseEntityKey('acme:customer:')).toEqual({ tenant: 'acme', entityType: 'customer', id: '' });
    for (const key of ['acme:customer', ':customer:1', 'acme::1', 'plain', '', null, undefined]) expect(parseEntityKey(key)).toBeUndefined();
  });
});
