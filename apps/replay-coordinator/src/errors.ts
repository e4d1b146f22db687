// Why the coordinator refuses a command. Each refusal is a typed error with a reason code
// (never retryable: sending the same command again gives the same answer) and a refusal code
// that replayctl maps to its exit status.
import { MeshError } from '@ingest-mesh/reason-codes';

/** 'error' (not a class here): Kafka or PostgreSQL failed while applying; reissue the command. */
export type Refusal = 'held' | 'needs-approval' | 'unknown-plan' | 'bad-state' | 'bad-args' | 'error';

export abstract class ReplayRefusedError extends MeshError {
  abstract readonly refusal: Refusal;
}

/** The tenant is under legal hold: no plan, run or resume until the hold is removed. */
export class TenantHeldError extends ReplayRefusedError {
  readonly refusal = 'held' as const;
  constructor(tenant: string, reason: string, by: string, since: Date) {
    super('VALIDATION_FAIL', `tenant ${tenant} is under legal hold since ${since.toISOString()} (by ${by}): ${reason}; remove the hold first (replayctl hold remove --tenant ${tenant})`);
  }
}

export class ApprovalRequiredError extends ReplayRefusedError {
  readonly refusal = 'needs-approval' as const;
  constructor(planId: string, estimate: number, threshold: number) {
    super('VALIDATION_FAIL', `plan ${planId} covers ${estimate} records, above the approval threshold ${threshold}: approve it first (replayctl approve ${planId} --rfa RFA-…)`);
  }
}

export class UnknownPlanError extends ReplayRefusedError {
  readonly refusal = 'unknown-plan' as const;
  constructor(planId: string) {
    super('VALIDATION_FAIL', `no replay plan ${planId}`);
  }
}

export class PlanStateError extends ReplayRefusedError {
  readonly refusal = 'bad-state' as const;
  constructor(planId: string, status: string, action: string) {
    super('VALIDATION_FAIL', `plan ${planId} is ${status}: cannot ${action} it`);
  }
}

export class PlanArgsError extends ReplayRefusedError {
  readonly refusal = 'bad-args' as const;
  constructor(message: string) {
    super('VALIDATION_FAIL', message);
  }
}
