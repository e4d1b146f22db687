// Processes the records of one partition in order: dedupe, brownout deferral, the app's handler,
// dead-lettering, and in-place retry of retryable failures that blocks this partition only.
//
// Invariant: process() returns n, and records [0, n) are durably handled — written, skipped,
// duplicate, deferred or in the DLQ — so the caller may commit the offset after record n-1.
// Records from n on are not final and will be delivered again.
import type { BackpressureController } from '@ingest-mesh/backpressure';
import { dedupeKey, type IdempotencyStore } from '@ingest-mesh/idempotency';
import { classify, InternalError, type Classification, type ReasonCode } from '@ingest-mesh/reason-codes';
import { abortableSleep, retry, retryDelay, type RetryPolicy } from '@ingest-mesh/retry';
import { UNTRACED, type TraceScope } from '@ingest-mesh/telemetry';
import type { DeadLetter } from './dlq-publisher.js';
import type { HandleContext, InboundRecord, RecordHandler, RecordMeta } from './handler.js';

export interface ProcessorMetrics {
  records(outcome: 'written' | 'skipped' | 'duplicate' | 'dlq' | 'deferred', n?: number): void;
  dlq(reason: ReasonCode, n?: number): void;
  retry(reason: ReasonCode): void;
  idempotencyHits(n: number): void;
  lag(seconds: number): void;
}

export interface ProcessorLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BatchProcessorOptions {
  handler: RecordHandler;
  deadLetters: { publish(letters: readonly DeadLetter[]): Promise<void> };
  backpressure: BackpressureController;
  metrics: ProcessorMetrics;
  logger: ProcessorLogger;
  retryPolicy: RetryPolicy;
  /** After maxAttempts: dead-letter with retryable=true ('dlq'), or keep retrying at the cap ('block'). */
  exhaustedRetries: 'dlq' | 'block';
  idempotency?: IdempotencyStore | undefined;
  /**
   * While a round runs, its dedupe reservations are renewed this often (a third of their TTL),
   * so the TTL can be short: a crashed instance's records are free again soon after, not only
   * after a TTL long enough for the slowest round. Unset: no renewal.
   */
  reservationRenewMs?: number | undefined;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ProcessContext {
  signal: AbortSignal;
  heartbeat(): Promise<void>;
  /**
   * The handler said 'later': process() returns the handled prefix, and the caller pauses the
   * partition for `ms` before the rest comes again. Without it, process() waits `ms` in place.
   */
  pause?(ms: number): void;
  /** The round's span, handed to the handler (untraced when absent). */
  trace?: TraceScope;
}

type Final = 'written' | 'skipped' | 'duplicate' | 'deferred' | 'dlq';

interface Item {
  record: InboundRecord;
  meta: RecordMeta;
  key: string | undefined;
  reserved: boolean;
  attempts: number;
  final?: Final;
  failure?: Classification | undefined;
  /** The error behind `failure`, for the wait it may ask for (RateLimitedError.retryAfterMs). */
  error?: unknown;
  /** The handler decided `final` this round: undone if an earlier record must be retried first. */
  fromHandler?: boolean;
  /** The handler said 'later' this round: come back after this many ms. */
  laterMs?: number | undefined;
  /** handler.settled() was told of this record's final state. */
  reported?: boolean;
  counted?: boolean;
}

const HEARTBEAT_EVERY_MS = 3000;
/**
 * How often a record another consumer holds is looked at again. Its reservation is committed,
 * released, or expires with its owner (MESH_IDEMPOTENCY_RESERVATION_SECONDS), so the wait ends;
 * it counts no attempt, so a crashed instance's records are never dead-lettered for it.
 */
const HELD_RECORD_RECHECK_MS = 1000;

export class BatchProcessor {
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly opts: BatchProcessorOptions) {
    this.sleep = opts.sleep ?? abortableSleep;
    this.now = opts.now ?? Date.now;
  }

  async process(records: readonly InboundRecord[], ctx: ProcessContext): Promise<number> {
    await this.prepare(records, ctx);
    const items = records.map((record) => this.describe(record));
    const stopRenewing = this.keepReservations(items);
    try {
      return await this.processItems(items, ctx);
    } finally {
      stopRenewing();
    }
  }

  private async processItems(items: Item[], ctx: ProcessContext): Promise<number> {
    this.deferForBrownout(items);
    await this.publishDeferred(items, ctx);
    let start = 0;
    while (start < items.length && !ctx.signal.aborted) {
      const suffix = items.slice(start);
      try {
        // Only the dedupe store can fail the round as a whole: block and try again (fail-closed).
        await this.untilDone('reserve the batch', ctx, () => this.reserve(suffix));
      } catch (err) {
        if (ctx.signal.aborted) break;
        throw err;
      }
      const stop = await this.handle(suffix, ctx);
      await this.settle(suffix, stop, ctx);
      if (stop === undefined) return items.length;
      const failed = suffix[stop]!;
      if (failed.laterMs !== undefined) {
        const ms = failed.laterMs;
        failed.laterMs = undefined;
        if (ctx.pause) {
          ctx.pause(ms);
          return firstUnfinished(items);
        }
        start += stop;
        await this.wait(ms, ctx);
        continue;
      }
      failed.attempts += 1;
      this.opts.metrics.retry(failed.failure!.code);
      if (failed.attempts >= this.opts.retryPolicy.maxAttempts && this.opts.exhaustedRetries === 'dlq') {
        failed.final = 'dlq';
        await this.settle([failed], undefined, ctx);
        start += stop + 1;
        continue;
      }
      start += stop;
      // The failed record's own wait: jittered backoff, or longer when it asked (Retry-After).
      await this.wait(retryDelay(failed.error, Math.min(failed.attempts, this.opts.retryPolicy.maxAttempts), this.opts.retryPolicy, this.opts.random), ctx);
    }
    return firstUnfinished(items);
  }

  /** Renews the reservations the round holds (items still `reserved`) until the returned stop is called. */
  private keepReservations(items: readonly Item[]): () => void {
    const store = this.opts.idempotency;
    const every = this.opts.reservationRenewMs;
    if (!store || !every) return () => undefined;
    let renewing = false;
    const timer = setInterval(() => {
      const held = items.filter((i) => i.reserved).map((i) => i.key!);
      if (renewing || held.length === 0) return;
      renewing = true;
      // Reserving a key we hold renews it (RESERVE_LUA); one pipeline for the round.
      store
        .reserve(held)
        .catch((err: unknown) => this.opts.logger.warn({ err }, "could not renew the round's dedupe reservations; they expire on their own"))
        .finally(() => (renewing = false));
    }, every);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async prepare(records: readonly InboundRecord[], ctx: ProcessContext): Promise<void> {
    if (!this.opts.handler.prepare) return;
    try {
      await this.opts.handler.prepare(records, ctx.signal);
    } catch (err) {
      this.opts.logger.warn({ err }, 'the handler could not prepare the round; records it left undescribed go on without it');
    }
  }

  private describe(record: InboundRecord): Item {
    const item: Item = { record, meta: {}, key: undefined, reserved: false, attempts: 0 };
    try {
      item.meta = this.opts.handler.describe?.(record) ?? {};
      item.key = item.meta.dedupe ? dedupeKey(item.meta.dedupe) : undefined;
    } catch (err) {
      item.final = 'dlq';
      item.failure = classify(err);
      item.attempts = 1;
    }
    return item;
  }

  private deferForBrownout(items: Item[]): void {
    if (!this.opts.handler.defer || this.opts.backpressure.state !== 'brownout') return;
    for (const item of items) {
      if (item.final !== undefined || item.meta.deferrable === false) continue;
      if (this.opts.backpressure.shouldDefer(item.meta.priority ?? 'normal')) item.final = 'deferred';
    }
  }

  private async publishDeferred(items: Item[], ctx: ProcessContext): Promise<void> {
    const deferredItems = items.filter((i) => i.final === 'deferred');
    if (deferredItems.length === 0) return;
    const deferred = deferredItems.map((i) => i.record);
    await this.untilDone('defer records', ctx, () => this.opts.handler.defer!(deferred));
    this.opts.metrics.records('deferred', deferred.length);
    for (const i of deferredItems) i.counted = true;
  }

  /** One round trip for the whole suffix; duplicates become final, others get a reservation. */
  private async reserve(suffix: Item[]): Promise<void> {
    const store = this.opts.idempotency;
    if (!store) return;
    const pending = suffix.filter((i) => i.final === undefined && i.key !== undefined && !i.reserved);
    if (pending.length === 0) return;
    // The same identity twice in one batch: the later copy is a duplicate of the earlier one.
    const seen = new Set(suffix.filter((i) => i.reserved).map((i) => i.key));
    let repeats = 0;
    for (const item of pending) {
      if (seen.has(item.key)) {
        item.final = 'duplicate';
        repeats += 1;
      }
      seen.add(item.key);
    }
    if (repeats > 0) this.opts.metrics.idempotencyHits(repeats);
    const toReserve = pending.filter((i) => i.final === undefined);
    if (toReserve.length === 0) return;
    const outcomes = await store.reserve(toReserve.map((i) => i.key!));
    let hits = 0;
    toReserve.forEach((item, n) => {
      const outcome = outcomes[n];
      if (outcome === 'reserved') item.reserved = true;
      else if (outcome === 'duplicate') {
        item.final = 'duplicate';
        hits += 1;
      } else item.laterMs = HELD_RECORD_RECHECK_MS; // another consumer holds it (in flight): wait, never a failure
    });
    if (hits > 0) this.opts.metrics.idempotencyHits(hits);
  }

  /** Runs the handler and walks the outcomes in order; returns the index of the first retryable failure. */
  private async handle(suffix: Item[], ctx: ProcessContext): Promise<number | undefined> {
    const inFlightAt = suffix.findIndex((i) => i.final === undefined && i.key !== undefined && !i.reserved && this.opts.idempotency);
    const limit = inFlightAt === -1 ? suffix.length : inFlightAt;
    const todo = suffix.slice(0, limit).filter((i) => i.final === undefined);
    if (todo.length > 0) {
      const attempt = Math.max(...todo.map((i) => i.attempts)) + 1;
      const outcomes = await this.runHandler(todo, { signal: ctx.signal, heartbeat: ctx.heartbeat, attempt, trace: ctx.trace ?? UNTRACED });
      todo.forEach((item, n) => {
        const outcome = outcomes[n]!;
        item.laterMs = undefined;
        if (outcome.status === 'done') {
          item.final = outcome.effect ?? 'written';
          item.fromHandler = true;
          item.failure = undefined;
        } else if (outcome.status === 'later') {
          item.failure = undefined;
          item.laterMs = Math.max(0, Number.isFinite(outcome.retryInMs) ? outcome.retryInMs : 0);
        } else {
          item.failure = classify(outcome.error);
          item.error = outcome.error;
        }
      });
    }
    for (let n = 0; n < limit; n++) {
      const item = suffix[n]!;
      if (item.final !== undefined) continue;
      if (item.failure && !item.failure.retryable) {
        item.final = 'dlq';
        item.fromHandler = true;
        item.attempts += 1;
      } else return n;
    }
    return inFlightAt === -1 ? undefined : inFlightAt;
  }

  private async runHandler(todo: Item[], ctx: HandleContext) {
    const started = this.now();
    try {
      const outcomes = await this.opts.handler.handle(
        todo.map((i) => i.record),
        ctx,
      );
      if (outcomes.length !== todo.length) {
        const error = new InternalError(`handler returned ${outcomes.length} outcomes for ${todo.length} records`);
        return todo.map(() => ({ status: 'failed' as const, error }));
      }
      return outcomes;
    } catch (error) {
      // A throw fails every record of the call; classification decides retry or DLQ.
      return todo.map(() => ({ status: 'failed' as const, error }));
    } finally {
      this.lastHandleMs = this.now() - started;
    }
  }

  lastHandleMs = 0;

  /**
   * Makes the round's results durable: DLQ first (one produce), then dedupe commits and releases
   * (one pipeline each). Reservations past the stop are released so the retry can take them again.
   */
  private async settle(suffix: Item[], stop: number | undefined, ctx: ProcessContext): Promise<void> {
    const finals = stop === undefined ? suffix : suffix.slice(0, stop);
    const newlyDead = finals.filter((i) => i.final === 'dlq' && i.failure);
    if (newlyDead.length > 0) {
      const letters = newlyDead.map((i) => this.letterFor(i));
      await this.untilDone('dead-letter records', ctx, () => this.opts.deadLetters.publish(letters));
      // One counter update per reason, not per letter: a round can dead-letter hundreds of records
      // of one reason (late revisions after a replay).
      const byReason = new Map<ReasonCode, number>();
      for (const i of newlyDead) byReason.set(i.failure!.code, (byReason.get(i.failure!.code) ?? 0) + 1);
      for (const [reason, n] of byReason) this.opts.metrics.dlq(reason, n);
      this.opts.metrics.records('dlq', newlyDead.length);
    }
    const store = this.opts.idempotency;
    if (store) {
      const commit = finals.filter((i) => i.reserved && (i.final === 'written' || i.final === 'skipped'));
      const deferred = finals.filter((i) => i.final === 'deferred');
      const release = [...newlyDead, ...deferred, ...(stop === undefined ? [] : suffix.slice(stop))].filter((i) => i.reserved);
      // Marked before the calls, so a renewal running meanwhile cannot reserve a released key again.
      for (const i of [...commit, ...release]) i.reserved = false;
      if (commit.length > 0) await this.untilDone('remember handled records', ctx, () => store.commit(commit.map((i) => i.key!)));
      if (release.length > 0) await this.untilDone('release reservations', ctx, () => store.release(release.map((i) => i.key!)));
    }
    for (const i of newlyDead) i.failure = undefined;
    await this.report(finals, ctx);
    this.count(finals);
    // Records after the stop are handled again, in order, once the failed one has gone through.
    if (stop !== undefined) {
      for (const i of suffix.slice(stop + 1)) {
        if (!i.fromHandler) continue;
        if (i.final === 'dlq') {
          i.attempts -= 1;
          i.failure = undefined;
        }
        i.final = undefined;
        i.fromHandler = false;
      }
    }
  }

  private async report(finals: Item[], ctx: ProcessContext): Promise<void> {
    const settled = this.opts.handler.settled;
    if (!settled) return;
    const fresh = finals.filter((i) => i.final !== undefined && !i.reported);
    if (fresh.length === 0) return;
    await this.untilDone('report settled records', ctx, () =>
      settled.call(
        this.opts.handler,
        fresh.map((i) => ({ record: i.record, final: i.final! })),
      ),
    );
    for (const i of fresh) i.reported = true;
  }

  private count(finals: Item[]): void {
    const now = this.now();
    for (const effect of ['written', 'skipped', 'duplicate', 'deferred'] as const) {
      const done = finals.filter((i) => i.final === effect && !i.counted);
      if (done.length === 0) continue;
      this.opts.metrics.records(effect, done.length);
      for (const i of done) {
        i.counted = true;
        if (effect === 'written') this.opts.metrics.lag(Math.max(0, (now - Number(i.record.message.timestamp)) / 1000));
      }
    }
  }

  private letterFor(item: Item): DeadLetter {
    return {
      topic: item.record.topic,
      partition: item.record.partition,
      message: item.record.message,
      failure: item.failure!,
      attempts: Math.max(1, item.attempts),
      tenant: item.meta.tenant,
      dedupeKey: item.key,
    };
  }

  /**
   * Retries an infrastructure step (DLQ produce, Redis) with libs/retry until it succeeds or we
   * shut down (then it throws). The backoff grows as the records' does, up to maxAttempts doublings.
   */
  private async untilDone(what: string, ctx: ProcessContext, step: () => Promise<void>): Promise<void> {
    const { baseMs, capMs, maxAttempts } = this.opts.retryPolicy;
    await retry(step, {
      policy: { baseMs, capMs: Math.min(capMs, baseMs * 2 ** (maxAttempts - 1)), maxAttempts: Number.MAX_SAFE_INTEGER },
      signal: ctx.signal,
      isRetryable: () => true,
      onRetry: ({ error, attempt }) => {
        this.opts.metrics.retry(classify(error).code);
        this.opts.logger.warn({ err: error, attempt }, `could not ${what}; retrying`);
      },
      sleep: async (ms) => {
        await this.wait(ms, ctx);
        ctx.signal.throwIfAborted();
      },
      ...(this.opts.random ? { random: this.opts.random } : {}),
    });
  }

  /** Sleeps in short slices, heartbeating so the group keeps the partition. */
  private async wait(ms: number, ctx: ProcessContext): Promise<void> {
    let remaining = ms;
    while (remaining > 0 && !ctx.signal.aborted) {
      const slice = Math.min(remaining, HEARTBEAT_EVERY_MS);
      try {
        await this.sleep(slice, ctx.signal);
      } catch {
        return; // aborted: the caller sees ctx.signal.aborted
      }
      remaining -= slice;
      await ctx.heartbeat().catch(() => undefined);
    }
  }
}

function firstUnfinished(items: Item[]): number {
  const n = items.findIndex((item) => item.final === undefined);
  return n === -1 ? items.length : n;
}
