// Versioned SQL migrations: files NNNN_name.sql, applied in version order, each in its own
// transaction together with its row in schema_migrations(version, name, checksum, applied_at).
// Every transaction first takes a transaction-scoped advisory lock, so instances starting at the
// same time apply each migration exactly once; the others wait, then see it applied.
// An applied migration whose file changed since is an error naming the file: migrations are
// append-only; fix forward with a new file.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { qualifiedName, quoteIdent } from './quote-ident.js';
import { withClient } from './transaction.js';

export const MIGRATIONS_TABLE = 'schema_migrations';
const FILE_PATTERN = /^(\d{1,9})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  /** File name, for messages. */
  file: string;
  sql: string;
  /** SHA-256 (hex) of the file with CRLF line ends normalised to LF. */
  checksum: string;
}

export interface MigrationResult {
  /** Applied by this call, in order. */
  applied: string[];
  /** Already applied before (checksums verified). */
  unchanged: string[];
  /** Versions recorded in schema_migrations that have no file here (an older build?). */
  unknownApplied: number[];
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replaceAll('\r\n', '\n'), 'utf8').digest('hex');
}

/** The migration files of `dir`, sorted by version; a .sql file with a bad name is an error. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new MigrationError(`cannot read the migrations directory ${dir}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const migrations: Migration[] = [];
  const byVersion = new Map<number, string>();
  for (const file of names.filter((n) => n.endsWith('.sql')).sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(`migration file ${file} is not named NNNN_name.sql (digits, _, lowercase name)`, file);
    const version = Number(match[1]);
    const clash = byVersion.get(version);
    if (clash !== undefined) throw new MigrationError(`migration files ${clash} and ${file} have the same version ${version}`, file);
    byVersion.set(version, file);
    const sql = await readFile(path.join(dir, file), 'utf8');
    migrations.push({ version, name: match[2]!, file, sql, checksum: checksumOf(sql) });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

export interface MigrateOptions {
  /** Schema the migrations create their objects in (search_path during each migration). */
  schema: string;
}

/** Applies the pending migrations; verifies the checksums of those applied before. */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[], options: MigrateOptions): Promise<MigrationResult> {
  const { schema } = options;
  const table = qualifiedName(schema, MIGRATIONS_TABLE);
  const lockName = `ingest-mesh/sink-postgres/migrations:${schema}`;
  // One checked-out connection for all of it (its advisory lock is per transaction), listened to
  // while out so a server dropping it cannot crash the process (withClient).
  return withClient(pool, async (client, markBroken) => {
    const inLockedTransaction = async <T>(work: () => Promise<T>): Promise<T> => {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockName]);
        const result = await work();
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot even roll back is dropped, not returned to the pool.
        await client.query('ROLLBACK').catch(markBroken);
        throw err;
      }
    };
    const appliedChecksums = () =>
      client
        .query<{ version: string; checksum: string }>(`SELECT version, checksum FROM ${table}`)
        .then((r) => new Map(r.rows.map((row) => [Number(row.version), row.checksum])));

    const before = await inLockedTransaction(async () => {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (
             version    bigint      PRIMARY KEY,
             name       text        NOT NULL,
             checksum   text        NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      return appliedChecksums();
    });

    const result: MigrationResult = { applied: [], unchanged: [], unknownApplied: [] };
    const known = new Set(migrations.map((m) => m.version));
    result.unknownApplied = [...before.keys()].filter((v) => !known.has(v)).sort((a, b) => a - b);
    for (const m of migrations) {
      const recorded = before.get(m.version);
      if (recorded === undefined) continue;
      if (recorded !== m.checksum) throw changedError(m, recorded, schema);
      result.unchanged.push(m.file);
    }

    for (const m of migrations.filter((x) => !before.has(x.version))) {
      const appliedNow = await inLockedTransaction(async () => {
        // Another instance may have applied it while we waited for the lock.
        const recorded = (await appliedChecksums()).get(m.version);
        if (recorded !== undefined) {
          if (recorded !== m.checksum) throw changedError(m, recorded, schema);
          return false;
        }
        await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
        try {
          await client.query(m.sql);
        } catch (err) {
          throw new MigrationError(`migration ${m.file} failed: ${err instanceof Error ? err.message : String(err)}`, m.file, { cause: err });
        }
        await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [m.version, m.name, m.checksum]);
        return true;
      });
      (appliedNow ? result.applied : result.unchanged).push(m.file);
    }
    return result;
  });
}

function changedError(m: Migration, recorded: string, schema: string): MigrationError {
  return new MigrationError(
    `migration ${m.file} was changed after it was applied to schema ${schema} (checksum ${m.checksum.slice(0, 12)}…, applied ${recorded.slice(0, 12)}…): ` +
      'applied migrations are append-only, restore the file and add a new migration instead',
    m.file,
  );
}
