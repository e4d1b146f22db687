// The coordinator's tables (migrations/0001_replay.sql): plans, their partitions, legal holds and
// the command ledger. Parameterised SQL only; identifiers go through qualifiedName.
import type pg from 'pg';
import { qualifiedName } from '@ingest-mesh/pg-kit';
import type { PlanRequest } from './plan-args.js';
import type { PartitionWindow } from './window.js';

export type PlanStatus = 'planned' | 'running' | 'paused' | 'blocked' | 'completed' | 'cancelled' | 'failed';
export type Approval = 'auto' | 'required' | 'approved';

export interface PlanRow {
  id: string;
  tenant: string;
  sources: string[];
  target: string | null;
  throttle: number;
  estimate: number;
  approval: Approval;
  status: PlanStatus;
  owner: string | null;
  failures: number;
}

export interface PartitionRow {
  topic: string;
  partition: number;
  start: number;
  end: number;
  next: number;
}

export interface HoldRow {
  tenant: string;
  reason: string;
  created_by: string;
  created_at: Date;
}

export interface CommandOutcome {
  commandId: string;
  type: string;
  planId: string | null;
  tenant: string | null;
  issuedBy: string;
  issuedAt: Date;
  outcome: 'applied' | 'refused';
  refusal?: string | undefined;
  message?: string | undefined;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const PLAN_COLUMNS = 'id, tenant, sources, target, throttle, estimate::float8 AS estimate, approval, status, owner, failures';

export class ReplayStore {
  readonly plans: string;
  readonly partitions: string;
  readonly holds: string;
  readonly commands: string;

  constructor(
    readonly pool: pg.Pool,
    schema: string,
  ) {
    this.plans = qualifiedName(schema, 'plans');
    this.partitions = qualifiedName(schema, 'plan_partitions');
    this.holds = qualifiedName(schema, 'holds');
    this.commands = qualifiedName(schema, 'commands');
  }

  async commandSeen(commandId: string): Promise<boolean> {
    const r = await this.pool.query(`SELECT 1 FROM ${this.commands} WHERE command_id = $1`, [commandId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Records the outcome; false when another instance recorded this command first. */
  async recordCommand(db: Queryable, instance: string, c: CommandOutcome): Promise<boolean> {
    const r = await db.query(
      `INSERT INTO ${this.commands} (command_id, type, plan_id, tenant, issued_by, issued_at, instance, outcome, refusal, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (command_id) DO NOTHING`,
      [c.commandId, c.type, c.planId, c.tenant, c.issuedBy, c.issuedAt, instance, c.outcome, c.refusal ?? null, c.message ?? null],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async hold(db: Queryable, tenant: string, lock = false): Promise<HoldRow | undefined> {
    const r = await db.query<HoldRow>(`SELECT tenant, reason, created_by, created_at FROM ${this.holds} WHERE tenant = $1${lock ? ' FOR SHARE' : ''}`, [
      tenant,
    ]);
    return r.rows[0];
  }

  async addHold(db: Queryable, tenant: string, reason: string, by: string): Promise<void> {
    await db.query(
      `INSERT INTO ${this.holds} (tenant, reason, created_by) VALUES ($1, $2, $3)
       ON CONFLICT (tenant) DO UPDATE SET reason = EXCLUDED.reason, created_by = EXCLUDED.created_by, created_at = now()`,
      [tenant, reason, by],
    );
    // Running replays of the tenant stop at their next checkpoint (their owner sees the status).
    await db.query(`UPDATE ${this.plans} SET status = 'blocked', message = $2, updated_at = now() WHERE tenant = $1 AND status = 'running'`, [
      tenant,
      `blocked by a legal hold on tenant ${tenant}: ${reason}`,
    ]);
  }

  async removeHold(db: Queryable, tenant: string): Promise<boolean> {
    const r = await db.query(`DELETE FROM ${this.holds} WHERE tenant = $1`, [tenant]);
    return (r.rowCount ?? 0) > 0;
  }

  async insertPlan(
    db: Queryable,
    p: Omit<PlanRequest, 'planId'> & { id: string; estimate: number; approval: Approval; createdBy: string },
    windows: readonly PartitionWindow[],
  ): Promise<void> {
    await db.query(
      `INSERT INTO ${this.plans} (id, tenant, sources, target, window_from, window_to, throttle, estimate, approval, approved_by, approved_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9 = 'auto' THEN 'auto' END, CASE WHEN $9 = 'auto' THEN now() END, $10)`,
      [p.id, p.tenant, p.sources, p.target ?? null, p.from, p.to, p.throttle, p.estimate, p.approval, p.createdBy],
    );
    await db.query(
      `INSERT INTO ${this.partitions} (plan_id, topic, partition, start_offset, end_offset, next_offset)
       SELECT $1, t, p, s, e, s FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS w(t, p, s, e)`,
      [p.id, windows.map((w) => w.topic), windows.map((w) => w.partition), windows.map((w) => w.start), windows.map((w) => w.end)],
    );
  }

  async plan(db: Queryable, id: string, lock = false): Promise<PlanRow | undefined> {
    const r = await db.query<PlanRow>(`SELECT ${PLAN_COLUMNS} FROM ${this.plans} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return r.rows[0];
  }

  async setStatus(
    db: Queryable,
    id: string,
    status: PlanStatus,
    message: string | null,
    extra: 'approve' | 'start' | 'finish' | 'none' = 'none',
    approval?: { by: string; rfa: string },
  ): Promise<void> {
    const sets = ['status = $2', 'message = $3', 'updated_at = now()'];
    if (extra === 'start') sets.push('owner = NULL', 'lease_until = NULL', 'failures = 0', 'started_at = coalesce(started_at, now())');
    if (extra === 'finish') sets.push('finished_at = now()');
    if (extra === 'approve') sets.push(`approval = 'approved'`, 'approved_by = $4', 'approved_at = now()', 'rfa = $5');
    await db.query(`UPDATE ${this.plans} SET ${sets.join(', ')} WHERE id = $1`, [
      id,
      status,
      message,
      ...(extra === 'approve' ? [approval!.by, approval!.rfa] : []),
    ]);
  }

  /**
   * Claims one running plan whose lease is free or expired (or already ours, after a restart with
   * the same MESH_INSTANCE_ID). SKIP LOCKED: instances polling together never claim the same row.
   */
  async claim(instance: string, leaseMs: number, exclude: readonly string[]): Promise<PlanRow | undefined> {
    const r = await this.pool.query<PlanRow>(
      `UPDATE ${this.plans} p SET owner = $1, lease_until = now() + make_interval(secs => $2::float8 / 1000), claims = claims + 1,
              claimed_at = now(), claim_base_read = read, claim_base_produced = produced, updated_at = now()
        WHERE p.id = (SELECT id FROM ${this.plans} WHERE status = 'running' AND (lease_until IS NULL OR lease_until < now() OR owner = $1)
                        AND NOT (id = ANY($3::uuid[])) ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING ${PLAN_COLUMNS.replaceAll('id,', 'p.id,')}`,
      [instance, leaseMs, exclude],
    );
    return r.rows[0];
  }

  async partitionsOf(planId: string): Promise<PartitionRow[]> {
    const r = await this.pool.query<{ topic: string; partition: number; start: string; end: string; next: string }>(
      `SELECT topic, partition, start_offset AS start, end_offset AS end, next_offset AS next FROM ${this.partitions} WHERE plan_id = $1 ORDER BY topic, partition`,
      [planId],
    );
    return r.rows.map((x) => ({ topic: x.topic, partition: x.partition, start: Number(x.start), end: Number(x.end), next: Number(x.next) }));
  }

  /**
   * The checkpoint, right after the produce was acknowledged: one transaction moves the
   * partition's next offset and the totals, and renews the lease. Fenced on the owner: an
   * instance that lost its lease writes nothing. Returns the plan's status, or undefined if fenced.
   */
  async checkpoint(
    planId: string,
    instance: string,
    leaseMs: number,
    cp: { topic: string; partition: number; next: number; read: number; produced: number },
  ): Promise<PlanStatus | undefined> {
    const r = await this.pool.query<{ status: PlanStatus }>(
      `WITH plan AS (
         UPDATE ${this.plans} SET read = read + $6, produced = produced + $7, failures = 0, updated_at = now(),
                lease_until = CASE WHEN status = 'running' THEN now() + make_interval(secs => $3::float8 / 1000) ELSE lease_until END
          WHERE id = $1 AND owner = $2 RETURNING status
       ), part AS (
         UPDATE ${this.partitions} SET next_offset = $8, read = read + $6, produced = produced + $7, updated_at = now()
          WHERE plan_id = $1 AND topic = $4 AND partition = $5 AND EXISTS (SELECT 1 FROM plan) RETURNING 1
       )
       SELECT status FROM plan, (SELECT count(*) FROM part) AS c`,
      [planId, instance, leaseMs, cp.topic, cp.partition, cp.read, cp.produced, cp.next],
    );
    return r.rows[0]?.status;
  }

  /** Renews the lease while a run waits (throttle, slow fetch); undefined when no longer ours. */
  async renew(planId: string, instance: string, leaseMs: number): Promise<PlanStatus | undefined> {
    const r = await this.pool.query<{ status: PlanStatus }>(
      `UPDATE ${this.plans} SET lease_until = CASE WHEN status = 'running' THEN now() + make_interval(secs => $3::float8 / 1000) ELSE lease_until END
        WHERE id = $1 AND owner = $2 RETURNING status`,
      [planId, instance, leaseMs],
    );
    return r.rows[0]?.status;
  }

  /** Ends this instance's claim: completed, or released (paused/cancelled/blocked keep their status). */
  async release(planId: string, instance: string, outcome: { completed: boolean } | { failed: string; maxFailures: number }): Promise<void> {
    if ('completed' in outcome && outcome.completed) {
      await this.pool.query(
        `UPDATE ${this.plans} SET status = 'completed', message = NULL, finished_at = now(), owner = NULL, lease_until = NULL, updated_at = now()
          WHERE id = $1 AND owner = $2 AND status = 'running'`,
        [planId, instance],
      );
    } else if ('failed' in outcome) {
      // A failed attempt frees the run for any instance after a pause of one poll (lease now + 2 s).
      await this.pool.query(
        `UPDATE ${this.plans} SET failures = failures + 1, message = $3, owner = NULL, updated_at = now(),
                lease_until = now() + interval '2 seconds',
                status = CASE WHEN status = 'running' AND failures + 1 >= $4 THEN 'failed' ELSE status END
          WHERE id = $1 AND owner = $2`,
        [planId, instance, outcome.failed, outcome.maxFailures],
      );
    }
    // Stopped (pause, cancel, hold, shutdown): the run is free at once for whoever resumes it.
    await this.pool.query(`UPDATE ${this.plans} SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2`, [planId, instance]);
  }
}
