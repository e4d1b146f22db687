import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from './router-config.js';
import { RouteTable, encodeRouteOverride, formatRouteKey, parseRouteKey, parseRouteOverride, sinkTopic } from './routes.js';

const config = parseRouterConfig({
  tenants: { acme: {}, globex: {} },
  entityTypes: {
    customer: { sinks: ['postgres', 'search'] },
    order: { sinks: ['postgres'], priority: 'low' },
    note: { sinks: ['postgres'] },
  },
  tenantOverrides: { globex: { order: { sinks: ['postgres', 'search'] }, customer: { priority: 'high' }, note: { sinks: [] } } },
});

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const table = () => new RouteTable(config);

describe('RouteTable.resolve from the config', () => {
  it('routes an entity type to the topics of its sinks, with no priority unless one is set (records keep their own)', () => {
    expect(table().resolve('acme', 'customer')).toEqual({ sinks: ['postgres', 'search'], topics: ['sink.postgres', 'sink.search'] });
    expect(table().resolve('acme', 'order')).toEqual({ sinks: ['postgres'], topics: ['sink.postgres'], priority: 'low' });
  });

  it('lets a tenant override replace sinks and priority independently', () => {
    expect(table().resolve('globex', 'order')).toEqual({ sinks: ['postgres', 'search'], topics: ['sink.postgres', 'sink.search'], priority: 'low' });
    expect(table().resolve('globex', 'customer')).toEqual({ sinks: ['postgres', 'search'], topics: ['sink.postgres', 'sink.search'], priority: 'high' });
  });

  it('has no route for an unknown entity type or a route turned off', () => {
    expect(table().resolve('acme', 'invoice')).toBeUndefined();
    expect(table().resolve('globex', 'note')).toBeUndefined();
    expect(table().resolve('acme', 'note')?.sinks).toEqual(['postgres']);
    expect(table().resolve('acme', 'constructor')).toBeUndefined();
  });
});

describe('RouteTable overrides', () => {
  it('follow the precedence override(tenant) > override(*) > tenantOverrides > entityTypes', () => {
    const t = table();
    expect(t.resolve('globex', 'order')?.sinks).toEqual(['postgres', 'search']);

    expect(t.applyOverride('*:order', json({ sinks: ['archive'] }))).toEqual({ ok: true, change: 'set' });
    expect(t.resolve('globex', 'order')?.sinks).toEqual(['archive']);
    expect(t.resolve('acme', 'order')?.sinks).toEqual(['archive']);

    expect(t.applyOverride('globex:order', json({ sinks: ['search'], priority: 'high' }))).toEqual({ ok: true, change: 'set' });
    expect(t.resolve('globex', 'order')).toEqual({ sinks: ['search'], topics: ['sink.search'], priority: 'high' });
    expect(t.resolve('acme', 'order')).toEqual({ sinks: ['archive'], topics: ['sink.archive'], priority: 'low' });

    // Tombstones peel the layers off again.
    expect(t.applyOverride('globex:order', null)).toEqual({ ok: true, change: 'removed' });
    expect(t.resolve('globex', 'order')?.sinks).toEqual(['archive']);
    expect(t.applyOverride('*:order', null)).toEqual({ ok: true, change: 'removed' });
    expect(t.resolve('globex', 'order')?.sinks).toEqual(['postgres', 'search']);
    expect(t.resolve('acme', 'order')?.sinks).toEqual(['postgres']);
  });

  it('take the priority from the next layer when they give none', () => {
    const t = table();
    t.applyOverride('globex:customer', json({ sinks: ['search'] }));
    expect(t.resolve('globex', 'customer')).toMatchObject({ sinks: ['search'], priority: 'high' });
    t.applyOverride('*:order', json({ sinks: ['search'], priority: 'high' }));
    t.applyOverride('acme:order', json({ sinks: ['postgres'] }));
    expect(t.resolve('acme', 'order')).toMatchObject({ sinks: ['postgres'], priority: 'high' });
  });

  it('add routes for entity types the config does not know, and can turn routes off', () => {
    const t = table();
    t.applyOverride('acme:invoice', json({ sinks: ['postgres'] }));
    expect(t.resolve('acme', 'invoice')?.topics).toEqual(['sink.postgres']);
    expect(t.resolve('globex', 'invoice')).toBeUndefined();
    t.applyOverride('*:customer', json({ sinks: [] }));
    expect(t.resolve('acme', 'customer')).toBeUndefined();
  });

  it('say whether a record changed anything', () => {
    const t = table();
    expect(t.applyOverride('acme:order', null)).toEqual({ ok: true, change: 'unchanged' });
    expect(t.applyOverride('acme:order', json({ sinks: ['search'] }))).toEqual({ ok: true, change: 'set' });
    expect(t.applyOverride('acme:order', json({ sinks: ['search'] }))).toEqual({ ok: true, change: 'unchanged' });
    expect(t.applyOverride('acme:order', json({ sinks: ['search'], priority: 'low' }))).toEqual({ ok: true, change: 'set' });
  });

  it('reject bad keys and values and keep the previous override', () => {
    const t = table();
    t.applyOverride('acme:order', json({ sinks: ['search'] }));
    const bad: [string, Buffer | null, RegExp][] = [
      ['acme:order', Buffer.from('{not json'), /value is not JSON/],
      ['acme:order', Buffer.alloc(0), /empty value/],
      ['acme:order', json({ sinks: 'search' }), /invalid route override: sinks: expected a list of sink names/],
      ['acme:order', json({ sinks: ['Search!'] }), /sinks\[0\]: not a valid sink name/],
      ['acme:order', json({ sinks: ['search'], priority: 'urgent' }), /priority/],
      ['acme:order', json({ sinks: ['search'], extra: 1 }), /extra/],
      ['acme:order', json(['search']), /invalid route override/],
      ['acme-order', json({ sinks: ['search'] }), /is not <tenant\|\*>:<entityType>/],
      ['ACME:order', json({ sinks: ['search'] }), /neither \* nor a valid tenant name/],
      ['acme:Order', json({ sinks: ['search'] }), /not a valid entity type/],
      ['acme:', null, /not a valid entity type/],
    ];
    for (const [key, value, error] of bad) {
      const result = t.applyOverride(key, value);
      expect(result.ok, key).toBe(false);
      expect(result.ok ? '' : result.error).toMatch(error);
    }
    expect(t.resolve('acme', 'order')?.sinks).toEqual(['search']);
    expect(t.overrides()).toEqual({ 'acme:order': { sinks: ['search'] } });
  });

  it('snapshot the live overrides sorted by key, detached from the table', () => {
    const t = table();
    t.applyOverride('globex:order', json({ sinks: ['search'], priority: 'high' }));
    t.applyOverride('*:order', json({ sinks: ['postgres', 'postgres'] }));
    const snap = t.overrides();
    expect(Object.keys(snap)).toEqual(['*:order', 'globex:order']);
    expect(snap).toEqual({ '*:order': { sinks: ['postgres'] }, 'globex:order': { sinks: ['search'], priority: 'high' } });
    snap['*:order']!.sinks.push('mutated');
    expect(t.resolve('acme', 'order')?.sinks).toEqual(['postgres']);
  });
});

describe('route keys and values', () => {
  it('format and parse <tenant|*>:<entityType>', () => {
    expect(formatRouteKey({ tenant: '*', entityType: 'billing.invoice' })).toBe('*:billing.invoice');
    expect(parseRouteKey('acme:billing.invoice')).toEqual({ ok: true, key: { tenant: 'acme', entityType: 'billing.invoice' } });
  });

  it('round-trip an override through its JSON encoding', () => {
    const parsed = parseRouteOverride(encodeRouteOverride({ sinks: ['postgres'], priority: 'high' }));
    expect(parsed).toEqual({ ok: true, override: { sinks: ['postgres'], priority: 'high' } });
    expect(sinkTopic('postgres')).toBe('sink.postgres');
  });
});
