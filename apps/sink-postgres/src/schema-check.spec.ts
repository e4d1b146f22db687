import { describe, expect, it } from 'vitest';
import { compareTables, type LiveColumn } from './schema-check.js';
import { parseTablesConfig } from './table-config.js';

const mappings = [
  ...parseTablesConfig({
    entityTypes: {
      customer: {
        table: 'customers',
        columns: { email: { from: 'email', type: 'text' }, src: { from: '$source', type: 'text' }, created_at: { from: 'createdAt', type: 'timestamptz' } },
      },
    },
  }).entityTypes.values(),
];

const mesh: LiveColumn[] = [
  ['tenant', 'text'],
  ['id', 'text'],
  ['revision', 'bigint'],
  ['occurred_at', 'timestamp with time zone'],
  ['deleted', 'boolean'],
  ['updated_at', 'timestamp with time zone'],
].map(([column, dataType]) => ({ table: 'customers', column: column!, dataType: dataType!, nullable: false }));

const pkey = { table: 'customers', name: 'customers_pkey', columns: ['id', 'tenant'] };

describe('compareTables', () => {
  it('accepts matching tables (varchar for text, key index in any column order, NOT NULL envelope columns)', () => {
    const columns = [
      ...mesh,
      { table: 'customers', column: 'email', dataType: 'character varying', nullable: true },
      { table: 'customers', column: 'src', dataType: 'text', nullable: false },
      { table: 'customers', column: 'created_at', dataType: 'timestamp with time zone', nullable: true },
    ];
    expect(compareTables(mappings, { columns, uniqueIndexes: [pkey] })).toEqual([]);
  });

  it('names every missing column, type mismatch and NOT NULL payload column', () => {
    const columns = [
      ...mesh.filter((c) => c.column !== 'deleted'),
      { table: 'customers', column: 'email', dataType: 'text', nullable: false },
      { table: 'customers', column: 'created_at', dataType: 'timestamp without time zone', nullable: true },
    ];
    expect(compareTables(mappings, { columns, uniqueIndexes: [{ ...pkey, columns: ['tenant', 'id', 'email'] }] })).toEqual([
      'table customers lacks column "deleted" (boolean) needed by entityType customer',
      'table customers column "email" is NOT NULL, but tombstones of entityType customer clear it: drop NOT NULL and require it with CHECK (deleted OR email IS NOT NULL)',
      'table customers lacks column "src" (text) needed by entityType customer',
      'table customers column "created_at" is timestamp without time zone, but entityType customer needs timestamptz',
      'table customers has no unique index on exactly (tenant, id), needed by entityType customer for ON CONFLICT',
    ]);
  });

  it('names a missing table once', () => {
    expect(compareTables(mappings, { columns: [], uniqueIndexes: [] })).toEqual([
      'table customers does not exist (needed by entityType customer; run the migrations or create it)',
    ]);
  });
});
