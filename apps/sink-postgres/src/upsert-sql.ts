// The one statement of an upsert batch. For input rows i (one per key, collapsed beforehand):
//
//   WITH input AS (SELECT * FROM unnest($1::text[], …) WITH ORDINALITY AS i(c1, …, ord)),
//   applied AS (
//     INSERT INTO "s"."t" AS t (…) SELECT c1, … FROM input
//     ON CONFLICT (key) DO UPDATE SET … WHERE excluded."revision" > t."revision"
//     RETURNING t.<key> …)
//   SELECT i.ord, applied?, cur."revision" FROM input i LEFT JOIN applied …
//     LEFT JOIN "s"."t" cur ON <key> AND a.k1 IS NULL
//
// All parts of one statement see the same snapshot, so `cur` is the row as it was before the
// statement: for a key the guard refused, that is the revision that won. One round trip tells
// written / equal-revision / older-revision(current) for every row. `cur` is looked up only for
// rows the guard refused (`a.k1 IS NULL`): an applied row needs no current revision, and in the
// common batch (every row new or newer) that saves one index probe per row. Rows come back in
// no particular order; the writer matches them by `ord`.
import { qualifiedName, quoteIdent } from '@ingest-mesh/pg-kit';
import { inputColumns, keyAliases, keyJoin, unnestInput } from './row-arrays.js';
import type { TableMapping } from './table-config.js';

export interface UpsertResultRow {
  ord: string;
  applied: boolean;
  current_revision: string | null;
}

export function buildUpsertSql(schema: string, mapping: TableMapping): string {
  const target = qualifiedName(schema, mapping.table);
  const columns = inputColumns(mapping);
  const aliases = keyAliases(mapping, columns);
  const keySet = new Set(mapping.key);
  const updates = columns
    .filter((c) => !keySet.has(c.name))
    .map((c) => `${quoteIdent(c.name)} = excluded.${quoteIdent(c.name)}`)
    .concat(`${quoteIdent('updated_at')} = now()`);
  const returning = mapping.key.map((name, j) => `t.${quoteIdent(name)} AS k${j + 1}`).join(', ');
  const appliedJoin = mapping.key.map((_, j) => `a.k${j + 1} = i.${aliases[j]}`).join(' AND ');
  return [
    `WITH input AS (SELECT * FROM ${unnestInput(columns)}),`,
    'applied AS (',
    `  INSERT INTO ${target} AS t (${columns.map((c) => quoteIdent(c.name)).join(', ')})`,
    `  SELECT ${columns.map((c) => c.alias).join(', ')} FROM input`,
    `  ON CONFLICT (${mapping.key.map(quoteIdent).join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
    `  WHERE excluded.${quoteIdent('revision')} > t.${quoteIdent('revision')}`,
    `  RETURNING ${returning})`,
    `SELECT i.ord, a.k1 IS NOT NULL AS applied, cur.${quoteIdent('revision')} AS current_revision`,
    'FROM input i',
    `LEFT JOIN applied a ON ${appliedJoin}`,
    `LEFT JOIN ${target} cur ON ${keyJoin(mapping, 'cur', 'i', aliases)} AND a.k1 IS NULL`,
  ].join('\n');
}
