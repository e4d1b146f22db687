// Start-up check of every mapped table against the live database, so a missing migration or a
// mapping typo stops the sink before the first record instead of dead-lettering a stream:
// missing tables and columns, type mismatches, NOT NULL data columns (tombstones clear them) and
// the unique index ON CONFLICT needs. One error lists every problem.
import type { Queryable } from './table-writer.js';
import { meshColumns, type ColumnType, type TableMapping } from './table-config.js';

/** information_schema.columns.data_type spellings each mapped type accepts. */
const ACCEPTED_TYPES: Readonly<Record<ColumnType, readonly string[]>> = {
  text: ['text', 'character varying', 'character'],
  bigint: ['bigint'],
  integer: ['integer'],
  numeric: ['numeric'],
  boolean: ['boolean'],
  timestamptz: ['timestamp with time zone'],
  jsonb: ['jsonb'],
};

export interface LiveColumn {
  table: string;
  column: string;
  dataType: string;
  nullable: boolean;
}

export interface LiveUniqueIndex {
  table: string;
  name: string;
  columns: readonly string[];
}

export interface LiveSchema {
  columns: readonly LiveColumn[];
  /** Unique, non-partial indexes on plain columns (what ON CONFLICT (cols) can infer). */
  uniqueIndexes: readonly LiveUniqueIndex[];
}

export class TableSchemaError extends Error {
  constructor(
    readonly schema: string,
    readonly problems: readonly string[],
  ) {
    super(`the live tables in schema ${schema} do not match tables.yaml:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'TableSchemaError';
  }
}

/** Every difference between the mappings and the live schema, as sentences. Pure. */
export function compareTables(mappings: readonly TableMapping[], live: LiveSchema): string[] {
  const problems: string[] = [];
  const columnsOf = new Map<string, Map<string, LiveColumn>>();
  for (const c of live.columns) {
    const table = columnsOf.get(c.table) ?? new Map<string, LiveColumn>();
    table.set(c.column, c);
    columnsOf.set(c.table, table);
  }
  for (const m of mappings) {
    const by = `entityType ${m.entityType}`;
    const table = columnsOf.get(m.table);
    if (table === undefined) {
      problems.push(`table ${m.table} does not exist (needed by ${by}; run the migrations or create it)`);
      continue;
    }
    const wanted = [
      ...meshColumns(m.mode).map((c) => ({ ...c, data: false, fromPayload: false })),
      ...m.columns.map((c) => ({ name: c.name, type: c.type, data: true, fromPayload: c.source.kind === 'payload' })),
    ];
    for (const want of wanted) {
      const have = table.get(want.name);
      if (have === undefined) {
        problems.push(`table ${m.table} lacks column "${want.name}" (${want.type}) needed by ${by}`);
        continue;
      }
      if (!ACCEPTED_TYPES[want.type].includes(have.dataType)) {
        problems.push(`table ${m.table} column "${want.name}" is ${have.dataType}, but ${by} needs ${want.type}`);
      }
      if (want.fromPayload && !have.nullable) {
        problems.push(
          `table ${m.table} column "${want.name}" is NOT NULL, but tombstones of ${by} clear it: drop NOT NULL and require it with CHECK (deleted OR ${want.name} IS NOT NULL)`,
        );
      }
    }
    const conflictKey = m.mode === 'history' ? [...m.key, 'revision'] : [...m.key];
    const hasIndex = live.uniqueIndexes.some((ix) => ix.table === m.table && sameSet(ix.columns, conflictKey));
    if (!hasIndex) {
      problems.push(`table ${m.table} has no unique index on exactly (${conflictKey.join(', ')}), needed by ${by} for ON CONFLICT`);
    }
  }
  return problems;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Reads the live columns and unique indexes of the mapped tables in `schema`. */
export async function readLiveSchema(db: Queryable, schema: string, tables: readonly string[]): Promise<LiveSchema> {
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    `SELECT table_name, column_name, data_type, is_nullable
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = ANY($2::text[])`,
    [schema, tables],
  );
  const indexes = await db.query<{ table_name: string; index_name: string; columns: string[] }>(
    `SELECT c.relname AS table_name, ic.relname AS index_name, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[])
        AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY c.relname, ic.relname`,
    [schema, tables],
  );
  return {
    columns: columns.rows.map((r) => ({ table: r.table_name, column: r.column_name, dataType: r.data_type, nullable: r.is_nullable === 'YES' })),
    uniqueIndexes: indexes.rows.map((r) => ({ table: r.table_name, name: r.index_name, columns: r.columns })),
  };
}

/** Throws TableSchemaError naming every problem of every mapped table. */
export async function checkTables(db: Queryable, schema: string, mappings: readonly TableMapping[]): Promise<void> {
  if (mappings.length === 0) return;
  const live = await readLiveSchema(db, schema, [...new Set(mappings.map((m) => m.table))]);
  const problems = compareTables(mappings, live);
  if (problems.length > 0) throw new TableSchemaError(schema, problems);
}
