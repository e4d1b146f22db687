// The unnest input every batch statement shares: one array parameter per inserted column, so a
// statement has as many parameters as the table has columns, whatever the batch size.
import type { PreparedRow, SqlValue } from './column-values.js';
import { quoteIdent } from '@ingest-mesh/pg-kit';
import type { ColumnType, TableMapping } from './table-config.js';

/** Mesh columns every insert fills from the envelope, in this order. */
export const INSERT_MESH_COLUMNS = [
  { name: 'tenant', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'revision', type: 'bigint' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'deleted', type: 'boolean' },
] as const satisfies ReadonlyArray<{ name: string; type: ColumnType }>;

export interface InputColumn {
  name: string;
  type: ColumnType;
  /** Its name inside the statement's `input` (c1, c2, …), never a user-chosen identifier. */
  alias: string;
}

export function inputColumns(mapping: TableMapping): InputColumn[] {
  return [...INSERT_MESH_COLUMNS, ...mapping.columns].map((c, i) => ({ name: c.name, type: c.type, alias: `c${i + 1}` }));
}

/** `unnest($1::text[], $2::bigint[], …) WITH ORDINALITY AS i(c1, c2, …, ord)` from parameter `first` on. */
export function unnestInput(columns: readonly InputColumn[], first = 1): string {
  const arrays = columns.map((c, i) => `$${first + i}::${c.type}[]`).join(', ');
  return `unnest(${arrays}) WITH ORDINALITY AS i(${columns.map((c) => c.alias).join(', ')}, ord)`;
}

/** The alias of each key column, in key order. */
export function keyAliases(mapping: TableMapping, columns: readonly InputColumn[]): string[] {
  return mapping.key.map((name) => {
    const column = columns.find((c) => c.name === name);
    if (!column) throw new Error(`key column "${name}" of table ${mapping.table} is not an input column`);
    return column.alias;
  });
}

/** `a."tenant" = b.c1 AND a."id" = b.c2` */
export function keyJoin(mapping: TableMapping, tableAlias: string, inputAlias: string, aliases: readonly string[]): string {
  return mapping.key.map((name, j) => `${tableAlias}.${quoteIdent(name)} = ${inputAlias}.${aliases[j]}`).join(' AND ');
}

/** Column-major parameter arrays for `rows`, matching inputColumns(mapping). */
export function rowArrays(mapping: TableMapping, rows: readonly PreparedRow[]): SqlValue[][] {
  const arrays: SqlValue[][] = Array.from({ length: INSERT_MESH_COLUMNS.length + mapping.columns.length }, () => new Array<SqlValue>(rows.length));
  rows.forEach((row, r) => {
    arrays[0]![r] = row.tenant;
    arrays[1]![r] = row.id;
    arrays[2]![r] = String(row.revision);
    arrays[3]![r] = row.occurredAt;
    arrays[4]![r] = row.deleted;
    row.values.forEach((value, c) => {
      arrays[INSERT_MESH_COLUMNS.length + c]![r] = value;
    });
  });
  return arrays;
}

/** Parameter arrays of the key columns only (for statements that take keys, not rows). */
export function keyArrays(mapping: TableMapping, rows: readonly PreparedRow[]): SqlValue[][] {
  return mapping.key.map((_, j) => rows.map((row) => row.keyValues[j] ?? null));
}

/** The SQL types of the key columns, in key order. */
export function keyTypes(mapping: TableMapping): ColumnType[] {
  return mapping.key.map((name) => {
    if (name === 'tenant' || name === 'id') return 'text';
    const column = mapping.columns.find((c) => c.name === name);
    if (!column) throw new Error(`key column "${name}" of table ${mapping.table} is not mapped`);
    return column.type;
  });
}
