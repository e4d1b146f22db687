// Acts on the replay control commands. Every instance receives every command (verified by the
// runtime); the first to record its id in the commands table acts on it, in the same transaction
// as the state change, so N instances apply it once. Refusals are recorded too: replayctl reads
// the outcome there and prints the message.
//
// Legal holds travel on replay_plan with args.hold = add | remove (target.tenant, args.reason):
// no new command type, so the ControlCommand schema stays as it is.
import type { Admin } from '@ingest-mesh/kafka-client';
import type pg from 'pg';
import type { ControlCommand } from '@ingest-mesh/control';
import { inTransaction } from '@ingest-mesh/pg-kit';
import { classify } from '@ingest-mesh/reason-codes';
import type { Logger } from '@ingest-mesh/telemetry';
import { ApprovalRequiredError, PlanArgsError, PlanStateError, ReplayRefusedError, TenantHeldError, UnknownPlanError } from './errors.js';
import { parsePlanRequest, planIdOf, type PlanLimits } from './plan-args.js';
import type { PlanRow, PlanStatus, ReplayStore } from './store.js';
import { assertTopicsExist, resolveWindow, windowSize } from './window.js';

export interface CommandHandlerOptions {
  store: ReplayStore;
  admin: Admin;
  instanceId: string;
  approvalThreshold: number;
  limits: PlanLimits;
  logger: Logger;
  /** Called after a command that may have made a run claimable. */
  onRunnable: () => void;
}

const REPLAY_TYPES = new Set(['replay_plan', 'replay_approve', 'replay_run', 'replay_pause', 'replay_resume', 'replay_cancel']);

/** Which statuses each action accepts, and the status it leads to. */
const TRANSITIONS: Record<string, { from: PlanStatus[]; to: PlanStatus }> = {
  replay_run: { from: ['planned', 'failed'], to: 'running' },
  replay_resume: { from: ['paused', 'blocked', 'failed'], to: 'running' },
  replay_pause: { from: ['running'], to: 'paused' },
  replay_cancel: { from: ['planned', 'running', 'paused', 'blocked', 'failed'], to: 'cancelled' },
};

export class CommandHandler {
  constructor(private readonly opts: CommandHandlerOptions) {}

  async handle(cmd: ControlCommand): Promise<boolean> {
    if (!REPLAY_TYPES.has(cmd.type)) return false;
    const { store, logger } = this.opts;
    if (await store.commandSeen(cmd.id)) return true;
    const base = { commandId: cmd.id, type: cmd.type, tenant: cmd.target.tenant, issuedBy: cmd.issuedBy, issuedAt: new Date(cmd.issuedAt) };
    let planId: string | null = null;
    try {
      planId = cmd.args['hold'] ? null : planIdOf(cmd);
      const message = await this.apply(cmd, base, planId);
      // undefined: another instance recorded it first and acted on it.
      if (message !== undefined) logger.info({ commandId: cmd.id, type: cmd.type, planId, issuedBy: cmd.issuedBy }, message);
      this.opts.onRunnable();
    } catch (err) {
      // Kafka or PostgreSQL trouble is recorded too (refusal 'error'): the runtime's replay guard
      // would not hand the command over again, so the operator must see it failed and reissue it.
      const refusal = err instanceof ReplayRefusedError ? err.refusal : 'error';
      const message = err instanceof ReplayRefusedError ? err.message : `could not apply ${cmd.type}: ${classify(err).message}`;
      logger.warn({ err: refusal === 'error' ? err : undefined, commandId: cmd.id, type: cmd.type, planId, refusal }, message);
      await store
        .recordCommand(store.pool, this.opts.instanceId, { ...base, planId, outcome: 'refused', refusal, message })
        .catch((e: unknown) => logger.error({ err: e, commandId: cmd.id }, 'could not record the outcome of a replay command'));
    }
    return true;
  }

  private async apply(
    cmd: ControlCommand,
    base: Omit<Parameters<ReplayStore['recordCommand']>[2], 'planId' | 'outcome'>,
    planId: string | null,
  ): Promise<string | undefined> {
    const { store, instanceId } = this.opts;
    const record = (db: pg.PoolClient, message: string) => store.recordCommand(db, instanceId, { ...base, planId, outcome: 'applied', message });
    if (cmd.type === 'replay_plan' && cmd.args['hold']) return this.applyHold(cmd, record);
    if (cmd.type === 'replay_plan') {
      const req = parsePlanRequest(cmd, this.opts.limits);
      await this.refuseIfHeld(store.pool, req.tenant);
      await assertTopicsExist(this.opts.admin, [...req.sources, ...(req.target ? [req.target] : [])]);
      const windows = await resolveWindow(this.opts.admin, req.sources, req.from, req.to);
      const estimate = windowSize(windows);
      const approval = estimate > this.opts.approvalThreshold ? 'required' : 'auto';
      return inTransaction(store.pool, async (db) => {
        await this.refuseIfHeld(db, req.tenant, true);
        if (!(await record(db, `planned ${estimate} records (${approval === 'auto' ? 'approved automatically' : 'needs approval'})`))) return undefined;
        await store.insertPlan(db, { ...req, id: req.planId, estimate, approval, createdBy: cmd.issuedBy }, windows);
        return `replay plan ${req.planId} stored: ${estimate} records in the window, approval ${approval}`;
      });
    }
    const id = planId!;
    return inTransaction(store.pool, async (db) => {
      const plan = await store.plan(db, id, true);
      if (!plan) throw new UnknownPlanError(id);
      if (cmd.type === 'replay_approve') return this.approve(db, cmd, plan, record);
      const t = TRANSITIONS[cmd.type]!;
      if (!t.from.includes(plan.status)) throw new PlanStateError(id, plan.status, cmd.type.replace('replay_', ''));
      if (t.to === 'running') {
        await this.refuseIfHeld(db, plan.tenant, true);
        if (plan.approval === 'required') throw new ApprovalRequiredError(id, plan.estimate, this.opts.approvalThreshold);
      }
      if (!(await record(db, `${plan.status} -> ${t.to}`))) return undefined;
      await store.setStatus(db, id, t.to, null, t.to === 'running' ? 'start' : t.to === 'cancelled' ? 'finish' : 'none');
      return `plan ${id}: ${plan.status} -> ${t.to}`;
    });
  }

  private async approve(
    db: pg.PoolClient,
    cmd: ControlCommand,
    plan: PlanRow,
    record: (db: pg.PoolClient, m: string) => Promise<boolean>,
  ): Promise<string | undefined> {
    const rfa = (cmd.args['rfa'] ?? '').trim();
    if (rfa === '' || rfa.length > 200) throw new PlanArgsError('approving a replay needs a request-for-approval reference: --rfa RFA-1234');
    if (plan.approval !== 'required') throw new PlanStateError(plan.id, plan.approval === 'auto' ? 'approved automatically' : 'already approved', 'approve');
    if (['cancelled', 'completed'].includes(plan.status)) throw new PlanStateError(plan.id, plan.status, 'approve');
    if (!(await record(db, `approved by ${cmd.issuedBy} under ${rfa}`))) return undefined;
    await this.opts.store.setStatus(db, plan.id, plan.status, null, 'approve', { by: cmd.issuedBy, rfa });
    return `plan ${plan.id} approved by ${cmd.issuedBy} under ${rfa}`;
  }

  private async applyHold(cmd: ControlCommand, record: (db: pg.PoolClient, m: string) => Promise<boolean>): Promise<string | undefined> {
    const tenant = cmd.target.tenant;
    const op = cmd.args['hold'];
    if (!tenant) throw new PlanArgsError('a legal hold needs target.tenant (--tenant T)');
    if (op !== 'add' && op !== 'remove') throw new PlanArgsError(`args.hold must be add or remove (got ${JSON.stringify(op)})`);
    const reason = (cmd.args['reason'] ?? '').trim();
    if (op === 'add' && reason === '') throw new PlanArgsError('a legal hold needs a reason (--reason "…")');
    const { store } = this.opts;
    return inTransaction(store.pool, async (db) => {
      if (op === 'add') {
        if (!(await record(db, `hold added on ${tenant}: ${reason}`))) return undefined;
        await store.addHold(db, tenant, reason, cmd.issuedBy);
        return `legal hold on tenant ${tenant}: ${reason}`;
      }
      if (!(await record(db, `hold removed from ${tenant}`))) return undefined;
      if (!(await store.removeHold(db, tenant))) throw new PlanArgsError(`tenant ${tenant} has no legal hold`);
      return `legal hold on tenant ${tenant} removed`;
    });
  }

  private async refuseIfHeld(db: Pick<pg.Pool, 'query'>, tenant: string, lock = false): Promise<void> {
    const hold = await this.opts.store.hold(db, tenant, lock);
    if (hold) throw new TenantHeldError(tenant, hold.reason, hold.created_by, hold.created_at);
  }
}
