// The PostgreSQL sink: a pg pool, the table writers of tables.yaml, and the Sink contract around
// them. connect() checks the database is there, applies the migrations (when enabled) and checks
// the mapped tables; writeBatch() groups a batch by entity type, lets each table's writer do its
// one-statement (upsert) or one-transaction (history) write, and answers in input order.
import { classify, ConnectionError, UnknownRouteError } from '@ingest-mesh/reason-codes';
import pg from 'pg';
import { ScdHistoryWriter } from './history.js';
import { loadMigrations, migrate, type MigrationResult } from '@ingest-mesh/pg-kit';
import { checkTables } from './schema-check.js';
import type { Sink, SinkHealth, SinkOutcome, SinkRecordIn } from './sink-types.js';
import type { TablesConfig } from './table-config.js';
import type { TableWriter } from './table-writer.js';
import { RevisionGuardedUpsert } from './upsert.js';

export interface PostgresSinkOptions {
  /** postgres://user@host:port/db; the password, if any, from the environment. */
  connectionString: string;
  tables: TablesConfig;
  /** Schema of the mapped tables and of schema_migrations. Default public. */
  schema?: string;
  /** Server-side statement_timeout of every statement (SQLSTATE 57014 → SINK_TIMEOUT). Default 30 s. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (new or from the pool). Default 5 s. */
  connectTimeoutMs?: number;
  /** Pool size. Default 10. */
  poolMax?: number;
  /** Shown in pg_stat_activity. Default sink-postgres. */
  applicationName?: string;
  /** Directory of NNNN_name.sql migrations applied by connect(); false: never migrate. */
  migrations?: string | false;
  /** health(): how long SELECT 1 may take. Default 2 s. */
  healthTimeoutMs?: number;
  /** Errors of idle pooled connections (e.g. the server restarted); they are dropped by the pool. */
  onPoolError?: (err: Error) => void;
  /** What connect() did, for the logs. */
  onConnected?: (info: { migrations: MigrationResult | undefined; tables: string[] }) => void;
}

export class PostgresSink implements Sink {
  readonly name = 'postgres';
  readonly schema: string;
  readonly pool: pg.Pool;
  private readonly writers = new Map<string, TableWriter>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: PostgresSinkOptions) {
    this.schema = options.schema ?? 'public';
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      application_name: options.applicationName ?? 'sink-postgres',
    });
    // Without a listener an idle connection dropped by the server would crash the process.
    this.pool.on('error', (err) => options.onPoolError?.(err));
    for (const mapping of options.tables.entityTypes.values()) {
      const writer =
        mapping.mode === 'history' ? new ScdHistoryWriter(this.pool, mapping, this.schema) : new RevisionGuardedUpsert(this.pool, mapping, this.schema);
      this.writers.set(mapping.entityType, writer);
    }
  }

  async connect(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      const { code, retryable } = classify(err);
      if (code !== 'CONNECTION_ERROR') throw err;
      throw new ConnectionError(
        `cannot reach PostgreSQL at ${describeTarget(this.options.connectionString)}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err, retryable },
      );
    }
    let migrations: MigrationResult | undefined;
    if (this.options.migrations !== false && this.options.migrations !== undefined) {
      migrations = await migrate(this.pool, await loadMigrations(this.options.migrations), { schema: this.schema });
    }
    const mappings = [...this.writers.values()].map((w) => w.mapping);
    await checkTables(this.pool, this.schema, mappings);
    this.options.onConnected?.({ migrations, tables: mappings.map((m) => m.table) });
  }

  async writeBatch(records: readonly SinkRecordIn[], ctx: { signal: AbortSignal }): Promise<SinkOutcome[]> {
    if (this.closing) throw new ConnectionError('the PostgreSQL sink is closed');
    const outcomes = new Array<SinkOutcome>(records.length);
    const groups = new Map<TableWriter, number[]>();
    records.forEach((record, i) => {
      const writer = this.writers.get(record.entityType);
      if (writer === undefined) {
        outcomes[i] = {
          status: 'failed',
          error: new UnknownRouteError(
            `no table mapping for entity type ${record.entityType} in tables.yaml (mapped: ${[...this.writers.keys()].join(', ') || 'none'})`,
          ),
        };
        return;
      }
      const list = groups.get(writer);
      if (list) list.push(i);
      else groups.set(writer, [i]);
    });
    // Tables one after another: each write is its own statement or transaction, and an
    // infrastructure failure of any of them fails the batch (the runner retries it whole).
    for (const [writer, indexes] of groups) {
      ctx.signal.throwIfAborted();
      const results = await writer.write(
        indexes.map((i) => records[i]!),
        ctx.signal,
      );
      indexes.forEach((recordIndex, j) => {
        outcomes[recordIndex] = results[j]!;
      });
    }
    return outcomes;
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  async health(): Promise<SinkHealth> {
    const started = performance.now();
    const pool = { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
    if (this.closing) return { ok: false, details: { error: 'closed', pool } };
    const timeoutMs = this.options.healthTimeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`SELECT 1 took longer than ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, details: { latencyMs: Math.round(performance.now() - started), pool, schema: this.schema } };
    } catch (err) {
      return { ok: false, details: { error: classify(err).message, pool, schema: this.schema } };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** host:port/database of a connection string, never its credentials. */
function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
