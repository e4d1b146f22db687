// PostgreSQL: reachable; sink-postgres's tables (SINK_PG_TABLES, in SINK_PG_SCHEMA) and its
// schema_migrations, with the privileges the sink needs; the dlq-redriver's and
// replay-coordinator's schemas (DLQ_STORE_SCHEMA, REPLAY_SCHEMA) when they exist.
import { readConfigFile } from '@ingest-mesh/config-file';
import { qualifiedName } from '@ingest-mesh/pg-kit';
import pg from 'pg';
import { fail, pass, reason, skip, withTimeout, type CheckRow } from './types.js';

export interface PostgresCheckOptions {
  url: string;
  sinkSchema: string;
  tablesFile: string;
  /** Schemas owned by other apps, checked when present: name → owning app. */
  optionalSchemas: Record<string, string>;
  timeoutMs: number;
}

/** Every `table:` of the sink's mapping file (YAML or JSON). */
export function tablesOf(mapping: unknown): string[] {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'table' && typeof v === 'string') out.add(v);
        else walk(v);
      }
    }
  };
  walk(mapping);
  return [...out].sort();
}

export async function checkPostgres(opts: PostgresCheckOptions): Promise<CheckRow[]> {
  const client = new pg.Client({
    connectionString: opts.url,
    connectionTimeoutMillis: opts.timeoutMs,
    statement_timeout: opts.timeoutMs,
    application_name: 'mesh-doctor',
  });
  client.on('error', () => undefined);
  const where = redact(opts.url);
  try {
    await withTimeout(client.connect(), opts.timeoutMs, `connecting to ${where}`);
  } catch (err) {
    await client.end().catch(() => undefined);
    return [fail('postgres', 'reachable', `${where}: ${reason(err)}`)];
  }
  try {
    const who = await client.query<{ user: string; version: string }>('SELECT current_user AS user, current_setting($1) AS version', ['server_version']);
    const rows: CheckRow[] = [pass('postgres', 'reachable', `${where} as ${who.rows[0]!.user}, PostgreSQL ${who.rows[0]!.version}`)];
    let tables: string[];
    try {
      tables = tablesOf(await readConfigFile(opts.tablesFile));
    } catch (err) {
      rows.push(fail('postgres', opts.tablesFile, `cannot read the sink's table mapping: ${reason(err)}`));
      tables = [];
    }
    for (const table of [...tables, 'schema_migrations']) {
      const privileges = table === 'schema_migrations' ? 'SELECT, INSERT' : 'SELECT, INSERT, UPDATE';
      rows.push(await checkTable(client, opts.sinkSchema, table, privileges));
    }
    for (const [schema, app] of Object.entries(opts.optionalSchemas)) rows.push(await checkOptionalSchema(client, schema, app));
    return rows;
  } catch (err) {
    return [fail('postgres', 'queries', reason(err))];
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkTable(client: pg.Client, schema: string, table: string, privileges: string): Promise<CheckRow> {
  const name = `${schema}.${table}`;
  const { rows } = await client.query<{ exists: boolean; ok: boolean | null }>(
    `SELECT to_regclass($1) IS NOT NULL AS exists,
            CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE has_table_privilege(current_user, $1, $2) END AS ok`,
    [qualifiedName(schema, table), privileges],
  );
  if (!rows[0]!.exists) return fail('postgres', name, 'table missing (sink-postgres creates it by its migrations on start)');
  if (!rows[0]!.ok) return fail('postgres', name, `current_user lacks ${privileges}`);
  return pass('postgres', name, `present; ${privileges} granted`);
}

async function checkOptionalSchema(client: pg.Client, schema: string, app: string): Promise<CheckRow> {
  const { rows } = await client.query<{ exists: boolean; usage: boolean | null; migrations: boolean }>(
    `SELECT n.oid IS NOT NULL AS exists,
            CASE WHEN n.oid IS NULL THEN NULL ELSE has_schema_privilege(current_user, $1, 'USAGE') END AS usage,
            to_regclass(quote_ident($1) || '.schema_migrations') IS NOT NULL AS migrations
       FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $1`,
    [schema],
  );
  const r = rows[0]!;
  if (!r.exists) return skip('postgres', schema, `not present (${app} creates it on start)`);
  if (!r.usage) return fail('postgres', schema, 'current_user lacks USAGE on the schema');
  if (!r.migrations) return fail('postgres', schema, `no ${schema}.schema_migrations: ${app}'s migrations did not run`);
  const applied = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualifiedName(schema, 'schema_migrations')}`);
  return pass('postgres', schema, `${applied.rows[0]!.n} migrations applied (${app})`);
}

function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]+@/, '$1***@');
}
