// The jobs table: a dlq control command becomes one row, keyed by the command id. Every instance
// receives every command; INSERT … ON CONFLICT DO NOTHING makes it one job, and the claim (SKIP
// LOCKED, with a heartbeat) makes one instance run it — another takes over if that one dies.
import type pg from 'pg';
import type { ControlCommand } from '@ingest-mesh/control';
import { qualifiedName } from '@ingest-mesh/pg-kit';

export interface JobRow {
  command_id: string;
  type: string;
  issued_by: string;
  target_app: string | null;
  target_tenant: string | null;
  target_reason: string | null;
  args: Record<string, string>;
  dry_run: boolean;
  status: 'queued' | 'running' | 'done' | 'failed';
  matched: number;
  succeeded: number;
  failed: number;
  message: string | null;
}

export class JobStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = qualifiedName(schema, 'jobs');
  }

  /** True when this call created the job (the first instance to see the command). */
  async enqueue(cmd: ControlCommand, failure?: string): Promise<boolean> {
    const res = await this.pool.query(
      `INSERT INTO ${this.table} (command_id, type, issued_by, issued_at, target_app, target_tenant, target_reason, args, dry_run, status, message, finished_at)
       VALUES ($1, $2, $3, to_timestamp($4::bigint / 1000.0), $5, $6, $7, $8::jsonb, $9, $10, $11, CASE WHEN $10 = 'failed' THEN now() END)
       ON CONFLICT (command_id) DO NOTHING`,
      [
        cmd.id,
        cmd.type,
        cmd.issuedBy,
        cmd.issuedAt,
        cmd.target.app,
        cmd.target.tenant,
        cmd.target.reason,
        JSON.stringify(cmd.args),
        cmd.args['dryRun'] === 'true',
        failure ? 'failed' : 'queued',
        failure ?? null,
      ],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** The oldest queued job, or one whose runner stopped beating for `staleMs`. */
  async claim(instance: string, staleMs: number): Promise<JobRow | undefined> {
    const res = await this.pool.query<JobRow>(
      `UPDATE ${this.table} j SET status = 'running', claimed_by = $1, heartbeat_at = now(), started_at = coalesce(started_at, now())
        WHERE command_id = (SELECT command_id FROM ${this.table}
                             WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $2::int / 1000.0))
                             ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING j.*`,
      [instance, staleMs],
    );
    return res.rows[0];
  }

  async progress(id: string, counts: { matched?: number; succeeded?: number; failed?: number }): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET matched = coalesce($2, matched), succeeded = coalesce($3, succeeded), failed = coalesce($4, failed), heartbeat_at = now()
        WHERE command_id = $1`,
      [id, counts.matched ?? null, counts.succeeded ?? null, counts.failed ?? null],
    );
  }

  async finish(id: string, status: 'done' | 'failed', message: string | null): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET status = $2, message = $3, finished_at = now(), heartbeat_at = now() WHERE command_id = $1`, [
      id,
      status,
      message,
    ]);
  }

  /** On shutdown: hand a running job back so another instance (or this one after restart) resumes it at once. */
  async release(id: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET status = 'queued', claimed_by = NULL WHERE command_id = $1 AND status = 'running'`, [id]);
  }
}
