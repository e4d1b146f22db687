// The runtime's RecordHandler for a sink: decode the round, one writeBatch through the sink's
// breaker, outcomes mapped for the runtime. While the breaker is open the call waits (consumption
// is paused meanwhile) instead of failing records with CIRCUIT_OPEN, so an outage never counts
// against the records' retry attempts and never sends them to the DLQ. A record older than the
// store's revision is dead-lettered as OLDER_REVISION or skipped, as the sink is configured
// (SINK_OLDER_REVISION), and counted once it is final.
import type { SinkCircuit } from '@ingest-mesh/circuit';
import { parseEntityKey } from '@ingest-mesh/contracts';
import type { HandleContext, InboundRecord, RecordHandler, RecordMeta, RecordOutcome, SettledRecord } from '@ingest-mesh/kafka-runtime';
import { CircuitOpenError, classify, OlderRevisionError } from '@ingest-mesh/reason-codes';
import { abortableSleep } from '@ingest-mesh/retry';
import { SpanKind, type OlderRevisionAction } from '@ingest-mesh/telemetry';
import type { SinkRecordDecoder } from './decode.js';
import { toRecordOutcome, toRecordOutcomes } from './outcomes.js';
import type { Sink, SinkOutcome, SinkRecordIn } from './sink.js';

export interface SinkHandlerOptions {
  sink: Sink;
  circuit: SinkCircuit;
  decoder: SinkRecordDecoder;
  /**
   * A record older than the revision the store holds: 'dlq' (default) dead-letters it as
   * OLDER_REVISION (non-retryable); 'skip' makes it final as skipped, nothing dead-lettered.
   * Counted either way (stats.olderRevision, metrics.olderRevisions).
   */
  olderRevision?: OlderRevisionAction;
  /** Counts the older revisions once they are final (the app's ingest_older_revisions_total). */
  metrics?: { olderRevisions(action: OlderRevisionAction, n?: number): void };
  /** While the circuit is open, how often a waiting call looks again; default 250 ms. */
  circuitPollMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Counts since start, for /health/detailed. */
export interface SinkStats {
  batches: number;
  written: number;
  noop: number;
  /** Records older than the store's revision, dead-lettered as OLDER_REVISION or skipped (SINK_OLDER_REVISION). */
  olderRevision: number;
  /** Older revisions that had waited in the router's slow lane: superseded while they waited, skipped. */
  superseded: number;
  /** Records the sink reported as failed, or that a writeBatch throw failed. */
  failed: number;
  /** Records that did not decode (dead-lettered, or retried when the registry was unreachable). */
  undecodable: number;
  /** writeBatch calls that threw. */
  batchFailures: number;
  /** Times a round waited for the open circuit. */
  circuitWaits: number;
  lastBatchMs: number;
  lastBatchAt: string | null;
  lastError: string | null;
}

const DEFAULT_POLL_MS = 250;
/** Set by the router on records it parked on its slow lane; forwarded onto the sink topics. */
export const DEFERRED_REASON_HEADER = 'x-mesh-deferred-reason';

export class SinkHandler implements RecordHandler {
  private readonly counts: SinkStats = {
    batches: 0,
    written: 0,
    noop: 0,
    olderRevision: 0,
    superseded: 0,
    failed: 0,
    undecodable: 0,
    batchFailures: 0,
    circuitWaits: 0,
    lastBatchMs: 0,
    lastBatchAt: null,
    lastError: null,
  };
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly olderRevision: OlderRevisionAction;
  /** Older revisions handled but not yet final, and what was done with them: counted in settled(). */
  private readonly pendingLate = new WeakMap<InboundRecord, OlderRevisionAction>();

  constructor(private readonly opts: SinkHandlerOptions) {
    this.sleep = opts.sleep ?? abortableSleep;
    this.now = opts.now ?? Date.now;
    this.olderRevision = opts.olderRevision ?? 'dlq';
  }

  /** Without I/O: tenant from the key (tenant:entityType:id); priority when the envelope's schema is known. */
  describe(record: InboundRecord): RecordMeta {
    const envelope = this.opts.decoder.peek(record.message);
    const tenant = tenantOfKey(record.message.key) ?? envelope?.tenant;
    return {
      ...(tenant === undefined ? {} : { tenant }),
      ...(envelope === undefined ? {} : { priority: envelope.priority }),
    };
  }

  async handle(records: readonly InboundRecord[], ctx: HandleContext): Promise<RecordOutcome[]> {
    const decoded = await Promise.allSettled(records.map((r) => this.opts.decoder.decode(r)));
    const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
    // A record that could not be decoded for now (registry unreachable) is retried in place, and
    // nothing after it is written ahead of it: a later revision of its key must wait.
    let cut = records.length;
    decoded.forEach((d, n) => {
      if (d.status === 'fulfilled') return;
      this.counts.undecodable += 1;
      outcomes[n] = { status: 'failed', error: d.reason };
      if (cut === records.length && classify(d.reason).retryable) cut = n;
    });
    const batch: { n: number; record: SinkRecordIn }[] = [];
    decoded.forEach((d, n) => {
      if (n < cut && d.status === 'fulfilled') batch.push({ n, record: d.value });
      else if (n > cut) outcomes[n] ??= outcomes[cut]!;
    });
    if (batch.length > 0) {
      const waited = batch.map((b) => records[b.n]!.message.headers?.[DEFERRED_REASON_HEADER] !== undefined);
      const written = await this.write(
        batch.map((b) => b.record),
        waited,
        ctx,
      );
      batch.forEach((b, i) => {
        outcomes[b.n] = written.outcomes[i]!;
        const record = records[b.n]!;
        if (written.late[i] === true && !waited[i]) this.pendingLate.set(record, this.olderRevision);
        else this.pendingLate.delete(record); // handled again after a retry, and no longer late
      });
    }
    return outcomes;
  }

  /** Counts the older revisions of the round once final: dead-lettered or skipped, never twice after a retry. */
  async settled(records: readonly SettledRecord[]): Promise<void> {
    let dlq = 0;
    let skip = 0;
    for (const { record, final } of records) {
      const action = this.pendingLate.get(record);
      if (action === undefined) continue;
      this.pendingLate.delete(record);
      if (action === 'dlq' && final === 'dlq') dlq += 1;
      else if (action === 'skip' && final === 'skipped') skip += 1;
    }
    if (dlq > 0) this.opts.metrics?.olderRevisions('dlq', dlq);
    if (skip > 0) this.opts.metrics?.olderRevisions('skip', skip);
  }

  stats(): SinkStats {
    return { ...this.counts };
  }

  /**
   * One writeBatch through the breaker; waits (heartbeating) while the breaker is open.
   *
   * A record the router parked on its slow lane (ingest.deferred; `waited`) can reach the sink
   * after a newer revision of its key that did not wait (legacy parked records, a crash between the
   * lane's bookkeeping and the produce). That order is the mesh's own doing, not the producer's:
   * the newer revision is correct, so the older one is skipped as superseded, never dead-lettered.
   * Any other older revision is dead-lettered or skipped as `olderRevision` says (`late` marks them).
   */
  private async write(
    records: SinkRecordIn[],
    waited: readonly boolean[],
    ctx: HandleContext,
  ): Promise<{ outcomes: RecordOutcome[]; late: readonly boolean[] }> {
    const { sink, circuit } = this.opts;
    for (;;) {
      const started = this.now();
      // One span per writeBatch call, inside the round's span.
      const span = ctx.trace.child(
        `write ${sink.name}`,
        { 'mesh.sink': sink.name, 'mesh.sink.records': records.length, 'mesh.attempt': ctx.attempt },
        SpanKind.CLIENT,
      );
      try {
        const outcomes = await circuit.fire((signal) => sink.writeBatch(records, { signal: AbortSignal.any([signal, ctx.signal]) }));
        const { mapped, late } = this.mapOutcomes(records, outcomes, waited);
        span.setAttributes({ 'mesh.sink.failed': mapped.filter((o) => o.status === 'failed').length });
        span.end();
        this.count(mapped, started, late, waited);
        return { outcomes: mapped, late };
      } catch (error) {
        span.end(error);
        if (this.refusedByOpenCircuit(error) && !ctx.signal.aborted) {
          await this.waitWhileOpen(ctx);
          if (!ctx.signal.aborted) continue;
        }
        this.counts.batchFailures += error instanceof CircuitOpenError ? 0 : 1;
        this.counts.failed += records.length;
        this.counts.lastError = classify(error).message;
        this.finish(started);
        return { outcomes: records.map(() => ({ status: 'failed', error })), late: [] };
      }
    }
  }

  /**
   * The sink's outcomes for the runtime. An older revision that is skipped (it waited in the slow
   * lane, or the sink skips them) becomes done/skipped without building an error for it; one to
   * dead-letter becomes an OlderRevisionError naming both revisions.
   */
  private mapOutcomes(
    records: readonly SinkRecordIn[],
    outcomes: readonly SinkOutcome[],
    waited: readonly boolean[],
  ): { mapped: RecordOutcome[]; late: boolean[] } {
    if (!Array.isArray(outcomes) || outcomes.length !== records.length) {
      return { mapped: toRecordOutcomes(this.opts.sink.name, records, outcomes), late: [] };
    }
    const skip = this.olderRevision === 'skip';
    const late = new Array<boolean>(records.length);
    const mapped = records.map((record, i): RecordOutcome => {
      const outcome = outcomes[i]!;
      late[i] = isOlderRevision(outcome);
      if (late[i] && (skip || waited[i] === true)) return { status: 'done', effect: 'skipped' };
      return toRecordOutcome(record, outcome);
    });
    return { mapped, late };
  }

  /** Our own breaker refused the call (not a CircuitOpenError the sink threw from further down). */
  private refusedByOpenCircuit(error: unknown): boolean {
    const { circuit } = this.opts;
    return error instanceof CircuitOpenError && circuit.state !== 'closed' && !circuit.isShutdown;
  }

  private async waitWhileOpen(ctx: HandleContext): Promise<void> {
    const { circuit } = this.opts;
    this.counts.circuitWaits += 1;
    do {
      await this.sleep(this.opts.circuitPollMs ?? DEFAULT_POLL_MS, ctx.signal).catch(() => undefined);
      await ctx.heartbeat().catch(() => undefined); // kafkajs sends one per heartbeatInterval at most
    } while (circuit.state === 'open' && !circuit.isShutdown && !ctx.signal.aborted);
  }

  private count(mapped: RecordOutcome[], started: number, late: readonly boolean[], waited: readonly boolean[]): void {
    mapped.forEach((outcome, i) => {
      if (late[i] === true) {
        if (waited[i] === true) this.counts.superseded += 1;
        else this.counts.olderRevision += 1;
      } else if (outcome.status === 'done') {
        if (outcome.effect === 'written') this.counts.written += 1;
        else this.counts.noop += 1;
      } else if (outcome.status === 'later') return;
      else {
        this.counts.failed += 1;
        this.counts.lastError = classify(outcome.error).message;
      }
    });
    this.finish(started);
  }

  private finish(started: number): void {
    this.counts.batches += 1;
    this.counts.lastBatchMs = this.now() - started;
    this.counts.lastBatchAt = new Date(this.now()).toISOString();
  }
}

/** The store holds a newer revision: the sink said so, or failed the record with an OlderRevisionError. */
function isOlderRevision(outcome: SinkOutcome | undefined): boolean {
  return outcome?.status === 'older-revision' || (outcome?.status === 'failed' && outcome.error instanceof OlderRevisionError);
}

/** The tenant of a `tenant:entityType:id` key; undefined for a key of another shape. */
export function tenantOfKey(key: Buffer | string | null | undefined): string | undefined {
  return parseEntityKey(key)?.tenant;
}
