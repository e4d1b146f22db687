// Wires the redriver on kafka-runtime: the store handler on the DLQ topics, the automatic
// redriver, the job runner, and onControl turning dlq commands into jobs. Used by main.ts (which
// discovers DLQ topics, and subscribes to new ones as they appear) and by the integration tests
// in-process (with the topics they name).
import { startMeshApp, type AppContext, type MeshApp, type MeshAppOptions } from '@ingest-mesh/kafka-runtime';
import { AutoRedriver } from './auto-redriver.js';
import { APP, type RedriverEnv } from './config.js';
import { discoverDlqTopics, newTopics } from './dlq-topics.js';
import { retry, type RetryPolicy } from '@ingest-mesh/retry';
import { isDlqCommand, jobSpecOf } from './job-spec.js';
import { JobRunner } from './job-runner.js';
import { JobStore } from './job-store.js';
import { createPool, LetterStore, migrateStore } from './letter-store.js';
import { RedriveSender } from './redrive-sender.js';
import { StoreHandler } from './store-handler.js';

/** Enqueueing a command: 5 tries over a few seconds (jittered, up to 4 s apart). */
const ENQUEUE_RETRY: RetryPolicy = { baseMs: 500, capMs: 4000, maxAttempts: 5 };

export interface RedriverOptions {
  env: RedriverEnv;
  /** DLQ topics to consume; with `discover`, more are found (DLQ_TOPIC_PATTERN, DLQ_TOPICS). */
  topics?: string[];
  groupId?: string;
  /** Lists topics at start and every DLQ_TOPIC_REFRESH_MS, subscribing to new DLQ topics. */
  discover?: boolean;
}

export function startRedriver(opts: RedriverOptions): Promise<MeshApp> {
  return startMeshApp(redriverApp(opts));
}

export function redriverApp({ env, topics = [], groupId, discover = false }: RedriverOptions): MeshAppOptions {
  const consumed = [...topics];
  return {
    app: APP,
    topics: consumed,
    env,
    ...(groupId ? { groupId } : {}),
    controlScopes: ['dlq'],
    build: async (ctx) => {
      const { logger, events } = ctx;
      const watch = discover ? await watchDlqTopics(env, ctx, consumed) : undefined;
      const pool = createPool(env.DATABASE_URL, env.DLQ_PG_POOL_MAX, (err) => logger.warn({ err }, 'an idle PostgreSQL connection was dropped'));
      const migrations = await migrateStore(pool, env.DLQ_STORE_SCHEMA);
      logger.info({ schema: env.DLQ_STORE_SCHEMA, applied: migrations.applied }, 'DLQ store ready');
      const publish = (type: string, data: Record<string, unknown>, tenant?: string) => void events.publish(type, data, tenant);
      const policy = { autoRedrive: env.DLQ_AUTO_REDRIVE, tiersMs: env.DLQ_REDRIVE_TIERS, maxRedrives: env.DLQ_MAX_REDRIVES };
      const store = new LetterStore(pool, env.DLQ_STORE_SCHEMA, policy);
      const sender = new RedriveSender(pool, env.DLQ_STORE_SCHEMA, ctx.producer, env.DLQ_MAX_SEND_FAILURES);
      const jobs = new JobStore(pool, env.DLQ_STORE_SCHEMA);
      const stats = { stored: 0, duplicates: 0, quarantined: 0, autoRedriven: 0 };

      const handler = new StoreHandler({
        store,
        logger,
        onStored: (r) => {
          stats.stored += r.inserted;
          stats.duplicates += r.duplicates;
          stats.quarantined += r.quarantined;
          if (r.quarantined > 0) publish('dlq.quarantined', { letters: r.quarantined, maxRedrives: env.DLQ_MAX_REDRIVES });
        },
      });
      const auto = new AutoRedriver({
        sender,
        enabled: env.DLQ_AUTO_REDRIVE,
        batch: env.DLQ_REDRIVE_BATCH,
        intervalMs: env.DLQ_SCHEDULER_INTERVAL_MS,
        claimTimeoutMs: env.DLQ_CLAIM_TIMEOUT_MS,
        retryAfterMs: env.DLQ_REDRIVE_TIERS[0]!,
        logger,
        onRedriven: (s) => {
          stats.autoRedriven += s.redriven;
          publish('dlq.auto_redriven', s);
        },
      });
      const runner = new JobRunner({
        pool,
        schema: env.DLQ_STORE_SCHEMA,
        jobs,
        sender,
        instance: ctx.instanceId,
        pollMs: env.DLQ_JOB_POLL_MS,
        staleMs: env.DLQ_CLAIM_TIMEOUT_MS,
        batch: env.DLQ_REDRIVE_BATCH,
        logger,
        publish,
      });
      auto.start();
      runner.start();

      return {
        handler,
        onControl: async (cmd) => {
          if (!isDlqCommand(cmd)) return false;
          let problem: string | undefined;
          try {
            jobSpecOf(cmd);
          } catch (err) {
            problem = `rejected: ${err instanceof Error ? err.message : String(err)}`;
          }
          // Every instance gets the command; the first insert wins, the others see a conflict.
          try {
            const created = await enqueueWithRetry(() => jobs.enqueue(cmd, problem));
            if (created)
              publish(
                'dlq.job.accepted',
                { commandId: cmd.id, type: cmd.type, issuedBy: cmd.issuedBy, ...(problem ? { problem } : {}) },
                cmd.target.tenant ?? undefined,
              );
          } catch (err) {
            // The runtime has admitted the command id already: report loudly; the operator sends it again.
            logger.error({ err, commandId: cmd.id, type: cmd.type }, 'could not record the dlq command (PostgreSQL unreachable)');
            publish(
              'dlq.job.enqueue_failed',
              { commandId: cmd.id, type: cmd.type, error: err instanceof Error ? err.message : String(err) },
              cmd.target.tenant ?? undefined,
            );
          }
          return true;
        },
        details: async () => ({
          dlq: {
            schema: env.DLQ_STORE_SCHEMA,
            topics: consumed,
            autoRedrive: env.DLQ_AUTO_REDRIVE,
            tiersMs: env.DLQ_REDRIVE_TIERS,
            maxRedrives: env.DLQ_MAX_REDRIVES,
            stats,
          },
        }),
        close: async () => {
          watch?.stop();
          await runner.stop();
          await auto.stop();
          await pool.end();
        },
      };
    },
  };
}

/**
 * kafkajs matches a subscription RegExp only against topics that exist when it subscribes, so the
 * redriver lists topics itself: at start, and every DLQ_TOPIC_REFRESH_MS, subscribing to the new
 * ones (a new app's dlq.<app>): only the consumer restarts, the rest of the app stays up.
 */
async function watchDlqTopics(env: RedriverEnv, ctx: AppContext, consumed: string[]): Promise<{ stop(): void }> {
  const pattern = new RegExp(env.DLQ_TOPIC_PATTERN);
  const own = `dlq.${APP}`;
  const discover = async () => {
    const added = newTopics(consumed, await discoverDlqTopics(ctx.admin, pattern, env.DLQ_TOPICS ?? [], own));
    if (added.length === 0) return;
    ctx.logger.info({ added }, 'new DLQ topics: subscribing to them');
    await ctx.subscribe(added);
    consumed.push(...added);
  };
  await discover();
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    discover()
      .catch((err: unknown) => ctx.logger.error({ err }, 'DLQ topic refresh failed; trying again at the next refresh'))
      .finally(() => (refreshing = false));
  }, env.DLQ_TOPIC_REFRESH_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** PostgreSQL briefly away must not lose a command: a few tries (libs/retry) before giving up (the CLI then times out, exit 4). */
function enqueueWithRetry(work: () => Promise<boolean>): Promise<boolean> {
  return retry(work, { policy: ENQUEUE_RETRY });
}
