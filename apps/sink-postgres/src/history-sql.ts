// The statements of a history (SCD Type 2) batch, all in one transaction:
//   1. lock    transaction-scoped advisory locks on the batch's keys (sorted: no deadlocks), so two
//              instances overlapping during a rebalance cannot interleave one entity's chain
//   2. insert  every new version as a non-current row; (key, revision) already there → skipped
//   3. expire  recompute valid_to / is_current from the predecessor of the lowest new revision on:
//              each version's valid_to is the next version's valid_from; all but the newest lose
//              is_current
//   4. promote the newest version of each key becomes current (valid_to null)
// Expire runs before promote because the partial unique index (key) WHERE is_current is checked
// row by row: the old current row must stop being current before the new one starts.
import { qualifiedName, quoteIdent } from '@ingest-mesh/pg-kit';
import { inputColumns, keyAliases, keyTypes, unnestInput } from './row-arrays.js';
import type { TableMapping } from './table-config.js';

export interface HistorySql {
  lock: string;
  insert: string;
  expire: string;
  promote: string;
}

export function buildHistorySql(schema: string, mapping: TableMapping): HistorySql {
  const target = qualifiedName(schema, mapping.table);
  const q = quoteIdent;
  const columns = inputColumns(mapping);
  const aliases = keyAliases(mapping, columns);
  const types = keyTypes(mapping);
  const keyCount = mapping.key.length;
  const k = mapping.key.map((_, j) => `k${j + 1}`);
  const keyArrays = (first: number) => types.map((t, j) => `$${first + j}::${t}[]`).join(', ');
  const matchKey = (alias: string, other: string) => mapping.key.map((name, j) => `${alias}.${q(name)} = ${other}.${k[j]}`).join(' AND ');
  const keyCols = (alias: string) => mapping.key.map((name) => `${alias}.${q(name)}`).join(', ');
  const rev = q('revision');

  const lock = [
    'SELECT pg_advisory_xact_lock(h) FROM (',
    `  SELECT DISTINCT hashtextextended($1::text || chr(31) || concat_ws(chr(31), ${k.map((x) => `${x}::text`).join(', ')}), 0) AS h`,
    `  FROM unnest(${keyArrays(2)}) AS i(${k.join(', ')})) s`,
    'ORDER BY h',
  ].join('\n');

  // valid_from = occurred_at (c4); rows start non-current, promote picks the newest.
  const insertColumns = [...columns.map((c) => q(c.name)), q('valid_from'), q('is_current')];
  const insertValues = [...columns.map((c) => c.alias), 'c4', 'false'];
  const insert = [
    `WITH input AS (SELECT * FROM ${unnestInput(columns)}),`,
    'inserted AS (',
    `  INSERT INTO ${target} AS t (${insertColumns.join(', ')})`,
    `  SELECT ${insertValues.join(', ')} FROM input`,
    `  ON CONFLICT (${[...mapping.key.map(q), rev].join(', ')}) DO NOTHING`,
    `  RETURNING ${[...mapping.key.map((name, j) => `t.${q(name)} AS ${k[j]}`), `t.${rev} AS r`].join(', ')})`,
    'SELECT i.ord FROM input i',
    `JOIN inserted n ON ${mapping.key.map((_, j) => `n.${k[j]} = i.${aliases[j]}`).join(' AND ')} AND n.r = i.c3`,
  ].join('\n');

  // Parameters: the key arrays, then the revisions of the inserted versions.
  const expire = [
    'WITH touched AS (',
    `  SELECT ${k.join(', ')}, min(r) AS min_rev FROM unnest(${keyArrays(1)}, $${keyCount + 1}::bigint[]) AS i(${k.join(', ')}, r)`,
    `  GROUP BY ${k.join(', ')}),`,
    'chain AS (',
    `  SELECT ${mapping.key.map((name, j) => `h.${q(name)} AS ${k[j]}`).join(', ')}, h.${rev} AS r,`,
    `         lead(h.${q('valid_from')}) OVER w AS next_from, lead(h.${rev}) OVER w IS NULL AS is_last`,
    `  FROM ${target} h JOIN touched x ON ${matchKey('h', 'x')}`,
    `  WHERE h.${rev} >= coalesce((SELECT max(p.${rev}) FROM ${target} p WHERE ${matchKey('p', 'x')} AND p.${rev} < x.min_rev), x.min_rev)`,
    `  WINDOW w AS (PARTITION BY ${keyCols('h')} ORDER BY h.${rev}))`,
    `UPDATE ${target} t SET ${q('is_current')} = false, ${q('valid_to')} = c.next_from, ${q('updated_at')} = now()`,
    'FROM chain c',
    `WHERE ${matchKey('t', 'c')} AND t.${rev} = c.r AND NOT c.is_last`,
    `  AND (t.${q('is_current')} OR t.${q('valid_to')} IS DISTINCT FROM c.next_from)`,
  ].join('\n');

  const promote = [
    `WITH touched AS (SELECT DISTINCT ${k.join(', ')} FROM unnest(${keyArrays(1)}) AS i(${k.join(', ')})),`,
    `newest AS (SELECT x.*, (SELECT max(h.${rev}) FROM ${target} h WHERE ${matchKey('h', 'x')}) AS r FROM touched x)`,
    `UPDATE ${target} t SET ${q('is_current')} = true, ${q('valid_to')} = NULL, ${q('updated_at')} = now()`,
    'FROM newest n',
    `WHERE ${matchKey('t', 'n')} AND t.${rev} = n.r AND (NOT t.${q('is_current')} OR t.${q('valid_to')} IS NOT NULL)`,
  ].join('\n');

  return { lock, insert, expire, promote };
}
