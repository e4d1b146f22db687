import { describe, expect, it } from 'vitest';
import { buildHistorySql } from './history-sql.js';
import { inputColumns, keyArrays, keyTypes, rowArrays } from './row-arrays.js';
import { parseTablesConfig } from './table-config.js';
import { buildUpsertSql } from './upsert-sql.js';
import type { PreparedRow } from './column-values.js';

const mapping = (mode: 'upsert' | 'history' = 'upsert', key?: string[]) =>
  parseTablesConfig({
    entityTypes: {
      order: {
        table: 'orders',
        mode,
        ...(key ? { key } : {}),
        columns: {
          amount_cents: { from: 'amountCents', type: 'bigint' },
          items: { from: 'items', type: 'jsonb' },
          region: { from: '$source', type: 'text' },
        },
      },
    },
  }).entityTypes.get('order')!;

const placeholders = (sql: string) => [...new Set(sql.match(/\$\d+/g))].sort();

describe('buildUpsertSql', () => {
  it('is one INSERT … SELECT FROM unnest with one typed array per column, whatever the batch size', () => {
    const sql = buildUpsertSql('public', mapping());
    expect(sql).toContain(
      'unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::boolean[], $6::bigint[], $7::jsonb[], $8::text[]) WITH ORDINALITY',
    );
    expect(placeholders(sql)).toEqual(['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8']);
    expect(sql).toContain('INSERT INTO "public"."orders" AS t ("tenant", "id", "revision", "occurred_at", "deleted", "amount_cents", "items", "region")');
  });

  it('guards the update by revision and updates everything but the key', () => {
    const sql = buildUpsertSql('public', mapping());
    expect(sql).toContain(
      'ON CONFLICT ("tenant", "id") DO UPDATE SET "revision" = excluded."revision", "occurred_at" = excluded."occurred_at", "deleted" = excluded."deleted", "amount_cents" = excluded."amount_cents", "items" = excluded."items", "region" = excluded."region", "updated_at" = now()',
    );
    expect(sql).toContain('WHERE excluded."revision" > t."revision"');
    expect(sql).toContain('RETURNING t."tenant" AS k1, t."id" AS k2)');
    // The current revision of refused keys comes from the same statement's snapshot.
    expect(sql).toContain('LEFT JOIN "public"."orders" cur ON cur."tenant" = i.c1 AND cur."id" = i.c2');
  });

  it('uses a mapped key column through its input alias', () => {
    const sql = buildUpsertSql('s', mapping('upsert', ['tenant', 'region', 'id']));
    expect(sql).toContain('ON CONFLICT ("tenant", "region", "id")');
    expect(sql).toContain('LEFT JOIN applied a ON a.k1 = i.c1 AND a.k2 = i.c8 AND a.k3 = i.c2');
    expect(sql).not.toContain('"region" = excluded."region"');
  });

  it('quotes every identifier: a hostile schema name stays a name', () => {
    const sql = buildUpsertSql('x"; DROP TABLE y; --', mapping());
    expect(sql).toContain('INSERT INTO "x""; DROP TABLE y; --"."orders"');
  });
});

describe('buildHistorySql', () => {
  const sql = buildHistorySql('public', mapping('history'));

  it('locks the batch keys in a fixed order', () => {
    expect(sql.lock).toContain('hashtextextended($1::text || chr(31) || concat_ws(chr(31), k1::text, k2::text), 0)');
    expect(sql.lock).toContain('FROM unnest($2::text[], $3::text[])');
    expect(sql.lock.trimEnd().endsWith('ORDER BY h')).toBe(true);
  });

  it('inserts versions as non-current rows, skipping (key, revision) already stored', () => {
    expect(sql.insert).toContain('"valid_from", "is_current")');
    expect(sql.insert).toContain('SELECT c1, c2, c3, c4, c5, c6, c7, c8, c4, false FROM input');
    expect(sql.insert).toContain('ON CONFLICT ("tenant", "id", "revision") DO NOTHING');
  });

  it('expires before it promotes', () => {
    expect(sql.expire).toContain('SET "is_current" = false, "valid_to" = c.next_from');
    expect(sql.expire).toContain('lead(h."valid_from") OVER w AS next_from');
    expect(placeholders(sql.expire)).toEqual(['$1', '$2', '$3']);
    expect(sql.promote).toContain('SET "is_current" = true, "valid_to" = NULL');
    expect(placeholders(sql.promote)).toEqual(['$1', '$2']);
  });
});

describe('row arrays', () => {
  const m = mapping('upsert', ['tenant', 'id', 'region']);
  const row = (id: string, revision: number, deleted: boolean, values: PreparedRow['values']): PreparedRow => ({
    tenant: 'acme',
    id,
    revision,
    occurredAt: '2025-01-01T00:00:00.000Z',
    deleted,
    values,
    keyValues: ['acme', id, values[2] ?? null],
    keyId: id,
  });

  it('are column-major, one array per input column, revisions as text', () => {
    const rows = [row('o-1', 3, false, ['100', '[]', 'eu']), row('o-2', 4, true, [null, null, 'us'])];
    expect(inputColumns(m).map((c) => `${c.alias}:${c.name}`)).toEqual([
      'c1:tenant',
      'c2:id',
      'c3:revision',
      'c4:occurred_at',
      'c5:deleted',
      'c6:amount_cents',
      'c7:items',
      'c8:region',
    ]);
    expect(rowArrays(m, rows)).toEqual([
      ['acme', 'acme'],
      ['o-1', 'o-2'],
      ['3', '4'],
      ['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
      [false, true],
      ['100', null],
      ['[]', null],
      ['eu', 'us'],
    ]);
    expect(keyArrays(m, rows)).toEqual([
      ['acme', 'acme'],
      ['o-1', 'o-2'],
      ['eu', 'us'],
    ]);
    expect(keyTypes(m)).toEqual(['text', 'text', 'text']);
  });
});
