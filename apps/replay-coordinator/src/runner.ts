// The claim loop every instance runs: every REPLAY_POLL_MS it claims a running plan whose lease
// is free or expired (SKIP LOCKED, so exactly one instance gets it) and executes it, up to
// REPLAY_MAX_CONCURRENT_RUNS at a time. A SIGKILLed owner stops renewing; its lease expires and
// the next poll of any instance (or of the restarted one) resumes the run from its checkpoints.
import { classify } from '@ingest-mesh/reason-codes';
import type { EventPublisher, Logger } from '@ingest-mesh/telemetry';
import { executeRun, type ReplayRunDeps, type RunEnd } from './replay-run.js';
import type { PlanRow } from './store.js';

export interface RunnerOptions extends ReplayRunDeps {
  pollMs: number;
  maxConcurrent: number;
  maxFailures: number;
  events: Pick<EventPublisher, 'publish'>;
  logger: Logger;
}

export class Runner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly opts: RunnerOptions) {}

  start(): void {
    const tick = () => {
      this.polling = this.poll()
        .catch((err: unknown) => this.opts.logger.warn({ err }, 'could not look for replay runs to claim; retrying'))
        .finally(() => {
          if (!this.shutdown.signal.aborted) this.timer = setTimeout(tick, this.opts.pollMs);
        });
    };
    tick();
  }

  /** Looks for work at once (a run/resume command was just applied). */
  poke(): void {
    if (this.shutdown.signal.aborted || this.polling === undefined) return;
    void this.polling.then(() => this.poll()).catch(() => undefined);
  }

  get active(): string[] {
    return [...this.running.keys()];
  }

  async stop(): Promise<void> {
    this.shutdown.abort();
    clearTimeout(this.timer);
    await this.polling;
    await Promise.all(this.running.values());
  }

  private async poll(): Promise<void> {
    while (this.running.size < this.opts.maxConcurrent && !this.shutdown.signal.aborted) {
      const plan = await this.opts.store.claim(this.opts.instanceId, this.opts.leaseMs, this.active);
      if (!plan) return;
      const run = this.execute(plan).finally(() => this.running.delete(plan.id));
      this.running.set(plan.id, run);
    }
  }

  private async execute(plan: PlanRow): Promise<void> {
    const { logger, events, store, instanceId } = this.opts;
    logger.info({ planId: plan.id, tenant: plan.tenant, throttle: plan.throttle }, 'replay run claimed');
    void events.publish('replay.claimed', { planId: plan.id, instance: instanceId }, plan.tenant);
    let end: RunEnd;
    try {
      end = await executeRun(plan, this.opts, this.shutdown.signal);
    } catch (err) {
      end = { kind: 'failed', error: err };
    }
    try {
      if (end.kind === 'completed') {
        await store.release(plan.id, instanceId, { completed: true });
        logger.info({ planId: plan.id }, 'replay run completed');
        void events.publish('replay.completed', { planId: plan.id }, plan.tenant);
      } else if (end.kind === 'failed') {
        const c = classify(end.error);
        await store.release(plan.id, instanceId, { failed: `${c.code}: ${c.message}`, maxFailures: this.opts.maxFailures });
        logger.warn({ err: end.error, planId: plan.id, reason: c.code }, 'replay run attempt failed; it is retried unless it failed too often');
        void events.publish('replay.failed', { planId: plan.id, reason: c.code, message: c.message }, plan.tenant);
      } else {
        await store.release(plan.id, instanceId, { completed: false });
        logger.info({ planId: plan.id, status: end.status }, 'replay run stopped');
        void events.publish('replay.stopped', { planId: plan.id, status: end.status }, plan.tenant);
      }
    } catch (err) {
      // The lease expires on its own; another poll takes the run over.
      logger.warn({ err, planId: plan.id }, 'could not release the replay run');
    }
  }
}
