// SQL identifiers are never interpolated raw: every table, column and schema name goes through
// quoteIdent. Values always travel as parameters ($1, $2, …).

/** `customers` → `"customers"`, `a"b` → `"a""b"`. Refuses what PostgreSQL cannot name. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error('an SQL identifier cannot be empty');
  if (name.includes('\u0000')) throw new Error('an SQL identifier cannot contain a NUL character');
  // PostgreSQL truncates identifiers to 63 bytes; two names that differ after that would collide.
  if (Buffer.byteLength(name, 'utf8') > 63) throw new Error(`SQL identifier "${name}" is longer than 63 bytes`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
