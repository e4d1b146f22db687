// The read side of the DLQ store: everything dlqtriage shows comes from these queries. It never
// writes: changes go through signed commands that the dlq-redriver executes.
import pg from 'pg';
import { unreachable } from './exit-codes.js';

export interface Filter {
  tenant?: string | undefined;
  reason?: string | undefined;
  app?: string | undefined;
  status?: string | undefined;
}

export class StoreReader {
  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
  ) {}

  static async connect(url: string, schema: string): Promise<StoreReader> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      throw unreachable('PostgreSQL (DATABASE_URL)', err);
    }
    return new StoreReader(client, schema);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private get t(): string {
    return `"${this.schema}".dead_letters`;
  }

  private where(f: Filter, extra: string[] = [], params: unknown[] = []): { sql: string; params: unknown[] } {
    const parts = [...extra];
    const add = (col: string, v: string | undefined) => {
      if (v === undefined) return;
      params.push(v);
      parts.push(`${col} = $${params.length}`);
    };
    add('tenant', f.tenant);
    add('reason', f.reason);
    add('app', f.app);
    add('status', f.status);
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.client.query<R>(sql, params)).rows;
    } catch (err) {
      if ((err as { code?: string }).code === '42P01')
        throw unreachable(`the DLQ store (schema ${this.schema} has no tables: is dlq-redriver running with DLQ_STORE_SCHEMA=${this.schema}?)`, err);
      throw err;
    }
  }

  summary(f: Filter) {
    const w = this.where(f);
    return this.rows<Record<string, string | number | boolean | null>>(
      `SELECT app, reason, bool_or(retryable) AS retryable,
              count(*) FILTER (WHERE status = 'new')::int AS new,
              count(*) FILTER (WHERE status = 'quarantined')::int AS quarantined,
              count(*) FILTER (WHERE status = 'redriving')::int AS redriving,
              count(*) FILTER (WHERE status = 'redriven')::int AS redriven,
              count(*) FILTER (WHERE status IN ('archived', 'purged'))::int AS closed,
              to_char(min(last_failure_at) FILTER (WHERE status IN ('new', 'quarantined')) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS oldest_open
         FROM ${this.t} ${w.sql} GROUP BY app, reason ORDER BY app, reason`,
      w.params,
    );
  }

  sample(f: Filter, limit: number) {
    const w = this.where(f, f.status ? [] : [`status <> 'purged'`]);
    w.params.push(limit);
    return this.rows<SampleRow>(
      `SELECT id::text, tenant, app, reason, status, attempts, redrive_attempt, error, status_note, origin_topic, origin_partition, origin_offset::text,
              to_char(last_failure_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_failure_at, record_key, payload, headers
         FROM ${this.t} ${w.sql} ORDER BY id DESC LIMIT $${w.params.length}`,
      w.params,
    );
  }

  /** Open letters (new, quarantined): top error messages (digits folded), per hour, per app. */
  async analyze(f: Filter, hours: number) {
    const w = this.where(f, [`status IN ('new', 'quarantined')`]);
    const errors = await this.rows<Record<string, string | number>>(
      `SELECT app, reason, regexp_replace(left(coalesce(error, ''), 200), '[0-9]+', 'N', 'g') AS error, count(*)::int AS letters
         FROM ${this.t} ${w.sql} GROUP BY 1, 2, 3 ORDER BY letters DESC, 1, 2, 3 LIMIT 10`,
      w.params,
    );
    const hw = this.where(f, [`last_failure_at > now() - make_interval(hours => ${Math.floor(hours)})`]);
    const perHour = await this.rows<{ hour: string; letters: number }>(
      `SELECT to_char(date_trunc('hour', last_failure_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:00') AS hour, count(*)::int AS letters
         FROM ${this.t} ${hw.sql} GROUP BY 1 ORDER BY 1`,
      hw.params,
    );
    const byApp = await this.rows<Record<string, string | number>>(
      `SELECT app, count(*) FILTER (WHERE status = 'new')::int AS new, count(*) FILTER (WHERE status = 'quarantined')::int AS quarantined,
              count(DISTINCT tenant)::int AS tenants, count(DISTINCT reason)::int AS reasons
         FROM ${this.t} ${w.sql} GROUP BY app ORDER BY app`,
      w.params,
    );
    return { errors, perHour, byApp };
  }

  async job(commandId: string): Promise<JobRow | undefined> {
    const rows = await this.rows<JobRow>(
      `SELECT command_id, type, status, dry_run, matched, succeeded, failed, message, claimed_by,
              extract(epoch FROM now() - heartbeat_at)::float8 AS silent_seconds FROM "${this.schema}".jobs WHERE command_id = $1`,
      [commandId],
    );
    return rows[0];
  }
}

export interface SampleRow {
  id: string;
  tenant: string | null;
  app: string;
  reason: string;
  status: string;
  attempts: number;
  redrive_attempt: number;
  error: string | null;
  status_note: string | null;
  origin_topic: string | null;
  origin_partition: number | null;
  origin_offset: string | null;
  last_failure_at: string;
  record_key: Buffer | null;
  payload: Buffer | null;
  headers: Record<string, string[]> | null;
}

export interface JobRow {
  command_id: string;
  type: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  dry_run: boolean;
  matched: number;
  succeeded: number;
  failed: number;
  message: string | null;
  claimed_by: string | null;
  /** Seconds since the running instance last reported (null before it was claimed). */
  silent_seconds: number | null;
}
