// The read side of the coordinator's store (apps/replay-coordinator/migrations): replayctl never
// writes there, it only reads plans, partitions, holds and the outcome of its own commands.
import type pg from 'pg';
import { qualifiedName } from '@ingest-mesh/pg-kit';

export interface PlanView {
  id: string;
  tenant: string;
  sources: string[];
  target: string | null;
  windowFrom: Date;
  windowTo: Date;
  throttle: number;
  estimate: number;
  approval: 'auto' | 'required' | 'approved';
  approvedBy: string | null;
  approvedAt: Date | null;
  rfa: string | null;
  status: string;
  message: string | null;
  createdBy: string;
  createdAt: Date;
  owner: string | null;
  leaseUntil: Date | null;
  claims: number;
  claimedAt: Date | null;
  claimBaseRead: number;
  claimBaseProduced: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  read: number;
  produced: number;
  now: Date;
}

export interface PartitionView {
  topic: string;
  partition: number;
  start: number;
  end: number;
  next: number;
  read: number;
  produced: number;
}

export interface HoldView {
  tenant: string;
  reason: string;
  createdBy: string;
  createdAt: Date;
}

export interface CommandView {
  outcome: 'applied' | 'refused';
  refusal: string | null;
  message: string | null;
  instance: string;
}

const PLAN_SELECT = `SELECT id, tenant, sources, target, window_from AS "windowFrom", window_to AS "windowTo", throttle,
  estimate::float8 AS estimate, approval, approved_by AS "approvedBy", approved_at AS "approvedAt", rfa, status, message,
  created_by AS "createdBy", created_at AS "createdAt", owner, lease_until AS "leaseUntil", claims, claimed_at AS "claimedAt",
  claim_base_read::float8 AS "claimBaseRead", claim_base_produced::float8 AS "claimBaseProduced", started_at AS "startedAt",
  finished_at AS "finishedAt", read::float8 AS read, produced::float8 AS produced, now() AS now`;

export class ReplayReader {
  private readonly t: { plans: string; partitions: string; holds: string; commands: string };

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.t = {
      plans: qualifiedName(schema, 'plans'),
      partitions: qualifiedName(schema, 'plan_partitions'),
      holds: qualifiedName(schema, 'holds'),
      commands: qualifiedName(schema, 'commands'),
    };
  }

  async command(commandId: string): Promise<CommandView | undefined> {
    const r = await this.pool.query<CommandView>(`SELECT outcome, refusal, message, instance FROM ${this.t.commands} WHERE command_id = $1`, [commandId]);
    return r.rows[0];
  }

  async plan(id: string): Promise<PlanView | undefined> {
    const r = await this.pool.query<PlanView>(`${PLAN_SELECT} FROM ${this.t.plans} WHERE id = $1`, [id]);
    return r.rows[0];
  }

  async partitions(id: string): Promise<PartitionView[]> {
    const r = await this.pool.query<PartitionView & { start: string; end: string; next: string; read: string; produced: string }>(
      `SELECT topic, partition, start_offset AS start, end_offset AS end, next_offset AS next, read, produced
         FROM ${this.t.partitions} WHERE plan_id = $1 ORDER BY topic, partition`,
      [id],
    );
    return r.rows.map((p) => ({ ...p, start: Number(p.start), end: Number(p.end), next: Number(p.next), read: Number(p.read), produced: Number(p.produced) }));
  }

  async list(tenant: string | undefined, limit: number): Promise<PlanView[]> {
    const r = await this.pool.query<PlanView>(`${PLAN_SELECT} FROM ${this.t.plans} WHERE ($1::text IS NULL OR tenant = $1) ORDER BY created_at DESC LIMIT $2`, [
      tenant ?? null,
      limit,
    ]);
    return r.rows;
  }

  async holds(tenant: string | undefined): Promise<HoldView[]> {
    const r = await this.pool.query<HoldView>(
      `SELECT tenant, reason, created_by AS "createdBy", created_at AS "createdAt" FROM ${this.t.holds} WHERE ($1::text IS NULL OR tenant = $1) ORDER BY tenant`,
      [tenant ?? null],
    );
    return r.rows;
  }
}
