// Runs dlq jobs: every instance polls the jobs table, one claims each job and runs it. Redrives
// are throttled by a token bucket at the command's rate and report progress as they go; purge and
// quarantine release/archive are bulk updates in chunks. Results land in the job row and as
// dlq.job.* events on mesh.events.
import type pg from 'pg';
import { TokenBucket } from '@ingest-mesh/backpressure';
import { qualifiedName } from '@ingest-mesh/pg-kit';
import { boundedMessage } from '@ingest-mesh/reason-codes';
import type { Logger } from '@ingest-mesh/telemetry';
import { filterSql, jobSpecOf, type DlqCommandType, type JobSpec } from './job-spec.js';
import type { JobRow, JobStore } from './job-store.js';
import type { RedriveSender } from './redrive-sender.js';

export type Publish = (type: string, data: Record<string, unknown>, tenant?: string) => void;

export interface JobRunnerOptions {
  pool: pg.Pool;
  schema: string;
  jobs: JobStore;
  sender: RedriveSender;
  instance: string;
  pollMs: number;
  staleMs: number;
  batch: number;
  logger: Logger;
  publish: Publish;
}

const CHUNK = 5000;
const PROGRESS_EVERY_MS = 1000;

export class JobRunner {
  private readonly table: string;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: JobRunnerOptions) {
    this.table = qualifiedName(opts.schema, 'dead_letters');
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      const job = await this.opts.jobs.claim(this.opts.instance, this.opts.staleMs).catch((err: unknown) => {
        this.opts.logger.warn({ err }, 'cannot claim dlq jobs; trying again');
        return undefined;
      });
      if (job) await this.execute(job);
      else await sleep(this.opts.pollMs, signal);
    }
  }

  private async execute(job: JobRow): Promise<void> {
    const tenant = job.target_tenant ?? undefined;
    const beat = setInterval(() => void this.opts.jobs.progress(job.command_id, {}).catch(() => undefined), Math.max(1000, this.opts.staleMs / 4));
    try {
      const spec = jobSpecOf({
        id: job.command_id,
        type: job.type as DlqCommandType,
        target: { app: job.target_app, tenant: job.target_tenant, reason: job.target_reason as never },
        args: job.args,
        issuedBy: job.issued_by,
        issuedAt: 0,
        expiresAt: 0,
        signature: '',
      });
      this.opts.publish('dlq.job.started', { commandId: job.command_id, type: job.type, dryRun: spec.dryRun, issuedBy: job.issued_by }, tenant);
      const result = spec.type === 'redrive' ? await this.redrive(job, spec) : await this.bulk(job, spec);
      if (this.stopping.signal.aborted && result.interrupted) {
        await this.opts.jobs.release(job.command_id);
        return;
      }
      const status = result.failed > 0 ? 'failed' : 'done';
      await this.opts.jobs.finish(job.command_id, status, result.message);
      this.opts.logger.info({ commandId: job.command_id, type: job.type, ...result }, 'dlq job finished');
      this.opts.publish(
        'dlq.job.finished',
        {
          commandId: job.command_id,
          type: job.type,
          status,
          dryRun: spec.dryRun,
          matched: result.matched,
          succeeded: result.succeeded,
          failed: result.failed,
          message: result.message,
        },
        tenant,
      );
    } catch (err) {
      const message = boundedMessage(err);
      this.opts.logger.error({ err, commandId: job.command_id }, 'dlq job failed');
      await this.opts.jobs.finish(job.command_id, 'failed', message).catch(() => undefined);
      this.opts.publish('dlq.job.finished', { commandId: job.command_id, type: job.type, status: 'failed', message }, tenant);
    } finally {
      clearInterval(beat);
    }
  }

  /** Throttled, chunked redrive of `new` letters matching the filter, at most spec.limit of them. */
  private async redrive(job: JobRow, spec: JobSpec): Promise<Outcome> {
    const f = filterSql(spec.filter, 1);
    const where = `status = 'new' AND origin_topic IS NOT NULL AND ${f.sql}`;
    const matched =
      job.matched > 0
        ? job.matched
        : Number(
            (
              await this.opts.pool.query<{ n: string }>(
                `SELECT count(*) AS n FROM (SELECT 1 FROM ${this.table} WHERE ${where} LIMIT ${spec.limit}) m`,
                f.params,
              )
            ).rows[0]!.n,
          );
    await this.opts.jobs.progress(job.command_id, { matched });
    if (spec.dryRun) return { matched, succeeded: 0, failed: 0, message: `dry run: ${matched} letter(s) would be redriven`, interrupted: false };

    const chunkMax = spec.rate > 0 ? Math.max(1, Math.min(this.opts.batch, spec.rate)) : this.opts.batch;
    const bucket = spec.rate > 0 ? new TokenBucket({ ratePerSec: spec.rate, burst: chunkMax }) : undefined;
    let { succeeded, failed } = job;
    const errors = new Set<string>();
    let lastProgress = 0;
    // Rows this job already handled carry its id: a row it failed to send is not picked again.
    const claimWhere = `${where} AND job_id IS DISTINCT FROM $${f.params.length + 1}::uuid`;
    while (succeeded + failed < spec.limit) {
      if (this.stopping.signal.aborted) return { matched, succeeded, failed, message: null, interrupted: true };
      const n = Math.min(chunkMax, spec.limit - succeeded - failed);
      if (bucket) await bucket.take(n, this.stopping.signal).catch(() => undefined);
      if (this.stopping.signal.aborted) return { matched, succeeded, failed, message: null, interrupted: true };
      const rows = await this.opts.sender.claim(claimWhere, [...f.params, job.command_id], n, job.command_id);
      if (rows.length === 0) break;
      const result = await this.opts.sender.send(rows, null);
      succeeded += result.sent.length;
      for (const x of result.failed) {
        failed += x.ids.length;
        errors.add(`${x.topic}: ${x.error}`);
      }
      await this.opts.jobs.progress(job.command_id, { succeeded, failed });
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        this.opts.publish('dlq.job.progress', { commandId: job.command_id, type: 'redrive', matched, succeeded, failed }, spec.filter.tenant ?? undefined);
      }
    }
    const message = errors.size > 0 ? `redriven ${succeeded}, failed ${failed}: ${[...errors].join('; ')}` : `redriven ${succeeded} of ${matched}`;
    return { matched, succeeded, failed, message: message.slice(0, 2000), interrupted: false };
  }

  /** purge, quarantine_release, quarantine_archive: UPDATEs in chunks, counted. */
  private async bulk(job: JobRow, spec: JobSpec): Promise<Outcome> {
    const f = filterSql(spec.filter, 1);
    const n = f.params.length;
    const [from, set, label] = bulkAction(spec, `$${n + 1}::text`);
    const params = [...f.params, `${spec.type} by ${job.issued_by}`, ...(spec.type === 'purge' ? [spec.olderThanDays] : [])];
    const age = spec.type === 'purge' ? ` AND stored_at < now() - make_interval(days => $${n + 2}::int)` : '';
    const where = `${from} AND ${f.sql}${age}`;
    if (spec.dryRun) {
      const counted = `SELECT count(*) AS n FROM ${this.table} WHERE ${where} AND $${n + 1}::text IS NOT NULL`;
      const matched = Number((await this.opts.pool.query<{ n: string }>(counted, params)).rows[0]!.n);
      await this.opts.jobs.progress(job.command_id, { matched });
      return { matched, succeeded: 0, failed: 0, message: `dry run: ${matched} letter(s) would be ${label}`, interrupted: false };
    }
    let total = 0;
    for (;;) {
      const res = await this.opts.pool.query(
        `UPDATE ${this.table} SET ${set}, updated_at = now() WHERE id IN (SELECT id FROM ${this.table} WHERE ${where} LIMIT ${CHUNK} FOR UPDATE SKIP LOCKED)`,
        params,
      );
      total += res.rowCount ?? 0;
      await this.opts.jobs.progress(job.command_id, { matched: total, succeeded: total });
      if ((res.rowCount ?? 0) < CHUNK) break;
    }
    return { matched: total, succeeded: total, failed: 0, message: `${total} letter(s) ${label}`, interrupted: false };
  }
}

interface Outcome {
  matched: number;
  succeeded: number;
  failed: number;
  message: string | null;
  interrupted: boolean;
}

/**
 * [which rows, what to set, past participle] per bulk command; `note` is the SQL parameter of the
 * status note. Purge drops the bytes and keeps the facts (who failed what, when, why).
 */
export function bulkAction(spec: Pick<JobSpec, 'type'>, note: string): [string, string, string] {
  switch (spec.type) {
    case 'purge':
      return [
        `status NOT IN ('redriving', 'purged')`,
        `status = 'purged', record_key = NULL, payload = NULL, headers = NULL, next_redrive_at = NULL, status_note = ${note}`,
        'purged',
      ];
    case 'quarantine_release':
      return [`status = 'quarantined'`, `status = 'new', next_redrive_at = NULL, status_note = ${note}`, 'released'];
    case 'quarantine_archive':
      return [`status = 'quarantined'`, `status = 'archived', status_note = ${note}`, 'archived'];
    default:
      throw new Error(`not a bulk command: ${spec.type}`);
  }
}

/** Waits ms, or less if aborted; the abort listener is removed either way (this runs every poll). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
