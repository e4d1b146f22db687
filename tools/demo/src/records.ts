// The demo's records: good ones, a duplicate, and one of each kind of bad input, each with the
// place it should end up, so the demo can show where every record went.
export interface DemoRecord {
  label: string;
  key: string;
  /** Bytes for ingest.raw, or an object for the webhook. */
  value: string | Buffer;
  via: 'raw' | 'webhook';
  expect: string;
}

export function demoRecords(run: string): DemoRecord[] {
  const at = '2025-01-01T00:00:00Z';
  const customer = (tenant: string, n: number, extra: Record<string, unknown> = {}) => ({
    tenant,
    source: 'crm',
    entityType: 'customer',
    id: `c-${run}-${n}`,
    revision: 1,
    occurredAt: at,
    payload: { id: `c-${run}-${n}`, name: `Customer ${n}`, email: `c${n}@example.com`, createdAt: at, ...extra },
  });
  const order = (tenant: string, n: number) => ({
    tenant,
    source: 'shop',
    entityType: 'order',
    id: `o-${run}-${n}`,
    revision: 1,
    occurredAt: at,
    payload: { id: `o-${run}-${n}`, customerId: `c-${run}-1`, status: 'placed', amountCents: 1299 * n, items: [{ sku: 'SKU-1', qty: n }] },
  });
  const raw = (label: string, key: string, value: unknown, expect: string): DemoRecord => ({
    label,
    key,
    value: typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value),
    via: 'raw',
    expect,
  });
  const good1 = customer('acme', 1, { tier: 'pro', country: 'DE' });
  return [
    raw('good customer (acme)', `acme:customer:c-${run}-1`, good1, 'sink.postgres + sink.search'),
    raw('same record again', `acme:customer:c-${run}-1`, good1, 'skipped (duplicate)'),
    raw('good order (acme)', `acme:order:o-${run}-1`, order('acme', 1), 'sink.postgres'),
    raw('good order (globex: override)', `globex:order:o-${run}-2`, order('globex', 2), 'sink.postgres + sink.search'),
    raw('truncated JSON', `acme:customer:c-${run}-90`, '{"tenant":"acme","entityType":"customer","id":', 'DLQ INVALID_PAYLOAD'),
    raw('wrong type (tier: 42)', `acme:customer:c-${run}-91`, customer('acme', 91, { tier: 42 }), 'DLQ SCHEMA_DRIFT'),
    raw('unknown entity type', `acme:invoice:i-${run}-1`, { ...customer('acme', 92), entityType: 'invoice' }, 'DLQ UNKNOWN_ENTITY_TYPE'),
    raw('missing id', `acme:customer:missing`, { ...customer('acme', 93), id: undefined }, 'DLQ VALIDATION_FAIL'),
    raw('revision "three"', `acme:customer:c-${run}-94`, { ...customer('acme', 94), revision: 'three' }, 'DLQ VALIDATION_FAIL'),
    raw('bad email (rule)', `acme:customer:c-${run}-95`, customer('acme', 95, { email: 'not-an-email' }), 'DLQ VALIDATION_FAIL'),
    raw('unknown tenant', `initech:customer:c-${run}-96`, customer('initech', 96), 'DLQ UNKNOWN_TENANT'),
    raw('invalid UTF-8', `acme:customer:c-${run}-97`, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'DLQ INVALID_PAYLOAD'),
    {
      label: 'webhook customer (acme)',
      key: `acme:customer:c-${run}-2`,
      value: JSON.stringify({
        id: `c-${run}-2`,
        revision: 1,
        source: 'signup-form',
        payload: { id: `c-${run}-2`, name: 'Web Signup', email: 'web@example.com', createdAt: at },
      }),
      via: 'webhook',
      expect: 'sink.postgres + sink.search',
    },
  ];
}
