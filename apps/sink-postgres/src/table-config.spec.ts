import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTablesConfig, parseTablesConfig, TablesConfigError } from './table-config.js';

const problems = (raw: unknown): readonly string[] => {
  try {
    parseTablesConfig(raw, 'tables.yaml');
  } catch (err) {
    if (err instanceof TablesConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be refused');
};

const valid = {
  entityTypes: {
    customer: { table: 'customers', columns: { email: { from: 'email', type: 'text' } } },
  },
};

describe('parseTablesConfig', () => {
  it('fills the defaults: upsert mode, key [tenant, id], non-nullable columns', () => {
    const config = parseTablesConfig(valid);
    expect(config.entityTypes.get('customer')).toEqual({
      entityType: 'customer',
      table: 'customers',
      mode: 'upsert',
      key: ['tenant', 'id'],
      columns: [
        { name: 'email', type: 'text', nullable: false, from: 'email', source: { kind: 'payload', path: 'email', segments: [{ kind: 'key', key: 'email' }] } },
      ],
    });
  });

  it('parses field paths and envelope sources', () => {
    const config = parseTablesConfig({
      entityTypes: {
        order: {
          table: 'orders',
          mode: 'history',
          columns: {
            first_sku: { from: 'items[0].sku', type: 'text', nullable: true },
            src: { from: '$source', type: 'text' },
            at: { from: '$occurredAt', type: 'timestamptz' },
          },
        },
      },
    });
    const columns = config.entityTypes.get('order')!.columns;
    expect(columns.map((c) => c.source)).toEqual([
      {
        kind: 'payload',
        path: 'items[0].sku',
        segments: [
          { kind: 'key', key: 'items' },
          { kind: 'index', index: 0 },
          { kind: 'key', key: 'sku' },
        ],
      },
      { kind: 'envelope', field: 'source' },
      { kind: 'envelope', field: 'occurredAt' },
    ]);
    expect(config.entityTypes.get('order')!.mode).toBe('history');
  });

  it('names the path of every problem', () => {
    expect(
      problems({
        entityTypes: {
          customer: {
            table: 'Customers',
            mode: 'append',
            columns: {
              email: { from: 'email', type: 'varchar' },
              name: { from: 'na me', type: 'text' },
              tier: { from: '$tier', type: 'text' },
              extra: { from: 'x', type: 'text', default: 1 },
            },
          },
        },
      }),
    ).toEqual([
      'entityTypes.customer.table: not a valid table name "Customers": expected lowercase letters, digits and _, starting with a letter or _, at most 63 characters',
      'entityTypes.customer.mode: expected a mode: one of upsert, history, got string "append"',
      'entityTypes.customer.columns.email.type: expected a column type: one of text, bigint, integer, numeric, boolean, timestamptz, jsonb, got string "varchar"',
      'entityTypes.customer.columns.name.from: "na me" is not a field path: unexpected " " after "na": field names have letters, digits and _ only (expected field names (letters, digits, _) joined by ".", each optionally followed by [n] or [*], such as address.zip, items[0].sku, items[*].sku)',
      'entityTypes.customer.columns.tier.from: unknown envelope field "$tier": expected one of $tenant, $id, $revision, $occurredAt, $source',
      'entityTypes.customer.columns.extra: unknown key "default"',
    ]);
  });

  it('refuses a path naming one value per list element ([*]): a column takes one value', () => {
    expect(
      problems({
        entityTypes: { order: { table: 'orders', columns: { skus: { from: 'items[*].sku', type: 'text' }, bad: { from: 'items[x]', type: 'text' } } } },
      }),
    ).toEqual([
      'entityTypes.order.columns.skus.from: "items[*].sku" names one value per element of a list ([*]), but one value is needed here: use an index, as in items[0].sku, or map the list itself (items) to a jsonb column',
      'entityTypes.order.columns.bad.from: "items[x]" is not a field path: [x] is neither an index (digits) nor [*] (expected field names (letters, digits, _) joined by ".", each optionally followed by [n] or [*], such as address.zip, items[0].sku, items[*].sku)',
    ]);
  });

  it('refuses mesh column names, bad keys and a table mapped twice', () => {
    expect(problems({ entityTypes: { customer: { table: 'customers', columns: { revision: { from: 'rev', type: 'bigint' } } } } })).toEqual([
      'entityTypes.customer.columns.revision: "revision" is a mesh column the sink fills itself in upsert mode; map the value to another column name',
    ]);
    expect(problems({ entityTypes: { customer: { table: 'c', mode: 'history', columns: { is_current: { from: 'x', type: 'boolean' } } } } })).toEqual([
      'entityTypes.customer.columns.is_current: "is_current" is a mesh column the sink fills itself in history mode; map the value to another column name',
    ]);
    expect(
      problems({
        entityTypes: {
          customer: {
            table: 'customers',
            key: ['tenant', 'email', 'tenant', 'nope', 'src'],
            columns: { email: { from: 'email', type: 'text' }, src: { from: '$source', type: 'text', nullable: true } },
          },
        },
      }),
    ).toEqual([
      'entityTypes.customer.columns.email.from: key column "email" must come from the envelope ($tenant, $id, $revision, $occurredAt, $source): tombstones carry no payload to take a key from',
      'entityTypes.customer.key[2]: key column "tenant" is listed twice',
      'entityTypes.customer.key[3]: key column "nope" is neither tenant, id nor one of the mapped columns (email, src)',
      'entityTypes.customer.columns.src.nullable: key column "src" cannot be nullable',
    ]);
    expect(problems({ entityTypes: { a: { table: 't', columns: {} }, b: { table: 't', columns: {} } } })).toEqual([
      'entityTypes.b.table: table "t" is already mapped by entity type "a": one table per entity type (revisions of different types would guard each other)',
    ]);
  });

  it('says what the top level must be', () => {
    expect(problems(null)).toEqual(['(top level): expected a map with entityTypes, got null']);
    expect(problems({ entityTypes: { 'Bad Type': { table: 't', columns: {} } } })[0]).toMatch(/^entityTypes\["Bad Type"\]: not a valid entity type "Bad Type"/);
    expect(problems({ entityTypes: { customer: { table: 't' } } })).toEqual([
      'entityTypes.customer.columns: expected a map of column name → { from, type, nullable? }, got nothing',
    ]);
  });
});

describe('loadTablesConfig', () => {
  it('loads the demo config/tables.yaml', async () => {
    const config = await loadTablesConfig(path.resolve(import.meta.dirname, '../config/tables.yaml'));
    expect([...config.entityTypes.keys()]).toEqual(['customer', 'order']);
    expect(config.entityTypes.get('order')!.columns.find((c) => c.name === 'items')).toMatchObject({ type: 'jsonb', from: 'items' });
  });

  it('names the file when it is missing or not YAML', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tables-'));
    try {
      const broken = path.join(dir, 'tables.yaml');
      await writeFile(broken, 'entityTypes: [unclosed\n');
      await expect(loadTablesConfig(broken)).rejects.toThrow(`table mapping ${broken} is invalid:\n  not valid YAML`);
      await expect(loadTablesConfig(path.join(dir, 'missing.yaml'))).rejects.toThrow('cannot read the file');
      const json = path.join(dir, 'tables.json');
      await writeFile(json, JSON.stringify(valid));
      expect((await loadTablesConfig(json)).entityTypes.size).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
