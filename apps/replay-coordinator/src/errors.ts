// Why the coordinator refuses a command. Each refusal is a typed error with a refusal code that
// replayctl maps to its exit status; refusals are the command's answer, not a record's failure,
// so they carry no reason code (libs/control CommandRefusedError).
import { CommandRefusedError } from '@ingest-mesh/control';

/** 'error' (not a class here): Kafka or PostgreSQL failed while applying; reissue the command. */
export type Refusal = 'held' | 'needs-approval' | 'unknown-plan' | 'bad-state' | 'bad-args' | 'error';

export abstract class ReplayRefusedError extends CommandRefusedError {
  abstract override readonly refusal: Refusal;
}

/** The tenant is under legal hold: no plan, run or resume until the hold is removed. */
export class TenantHeldError extends ReplayRefusedError {
  readonly refusal = 'held' as const;
  constructor(tenant: string, reason: string, by: string, since: Date) {
    super(
      `tenant ${tenant} is under legal hold since ${since.toISOString()} (by ${by}): ${reason}; remove the hold first (replayctl hold remove --tenant ${tenant})`,
    );
  }
}

export class ApprovalRequiredError extends ReplayRefusedError {
  readonly refusal = 'needs-approval' as const;
  constructor(planId: string, estimate: number, threshold: number) {
    super(`plan ${planId} covers ${estimate} records, above the approval threshold ${threshold}: approve it first (replayctl approve ${planId} --rfa RFA-…)`);
  }
}

export class UnknownPlanError extends ReplayRefusedError {
  readonly refusal = 'unknown-plan' as const;
  constructor(planId: string) {
    super(`no replay plan ${planId}`);
  }
}

export class PlanStateError extends ReplayRefusedError {
  readonly refusal = 'bad-state' as const;
  constructor(planId: string, status: string, action: string) {
    super(`plan ${planId} is ${status}: cannot ${action} it`);
  }
}

export class PlanArgsError extends ReplayRefusedError {
  readonly refusal = 'bad-args' as const;
  constructor(message: string) {
    super(message);
  }
}
