// The consumer side of processing: eachBatch per partition (partitions run concurrently, records
// of one partition strictly in order), offsets resolved and committed only up to the last
// durably handled record, and fetching paused while backpressure says so.
import type { Consumer, EachBatchPayload } from '@ingest-mesh/kafka-client';
import type { BackpressureController, Semaphore } from '@ingest-mesh/backpressure';
import { SpanKind, UNTRACED, type Tracing } from '@ingest-mesh/telemetry';
import { TRACE_HEADERS, headerString } from './headers.js';
import type { BatchProcessor } from './batch-processor.js';
import type { InboundRecord } from './handler.js';
import { splitRounds } from './rounds.js';

export interface ConsumerLoopOptions {
  consumer: Consumer;
  topics: string[];
  processor: BatchProcessor;
  backpressure: BackpressureController;
  /** Bounds how many partitions are processed at once; shrunk while throttled. */
  concurrency: Semaphore;
  maxRecordsPerRound: number;
  /** A round ends before its bytes (keys, values, headers) exceed this; a bigger record is a round alone. */
  maxBytesPerRound: number;
  partitionsConcurrently: number;
  /** Aborted on shutdown: backoffs end, the handled prefix is committed, the rest is redelivered. */
  signal: AbortSignal;
  lastRecordTime: Map<string, number>;
  circuitOpen(): boolean;
  /** A span per round (OTel messaging "process"), continued from its records' traceparents. */
  tracing: Tracing;
  groupId: string;
  /** After each committed round: for the mesh.events batch stream. */
  onRound?(round: RoundSummary): void;
}

export interface RoundSummary {
  topic: string;
  partition: number;
  records: number;
  handled: number;
  firstOffset: string;
  lastCommittedOffset: string | null;
  durationMs: number;
}

const IDLE_AFTER_MS = 5000;

export class ConsumerLoop {
  private paused = false;
  /** When the last round finished (ms); an idle loop reports no sink latency. */
  lastRoundAt = 0;
  /** The configured, unthrottled capacity: what in-flight depth is measured against. */
  private readonly capacity: number;

  constructor(private readonly opts: ConsumerLoopOptions) {
    this.capacity = opts.partitionsConcurrently;
  }

  async start(): Promise<void> {
    const { consumer, topics } = this.opts;
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Applies the backpressure state to fetching: paused and drain stop it, others resume it. */
  syncFetching(): void {
    const shouldPause = !this.opts.backpressure.shouldFetch();
    if (shouldPause === this.paused) return;
    this.paused = shouldPause;
    const topics = this.opts.topics.map((topic) => ({ topic }));
    if (shouldPause) this.opts.consumer.pause(topics);
    else this.opts.consumer.resume(topics);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!this.opts.backpressure.shouldFetch() || this.opts.signal.aborted) return; // redelivered later
    const release = await this.opts.concurrency.acquire(this.opts.signal).catch(() => undefined);
    if (!release) return;
    try {
      const records: InboundRecord[] = batch.messages.map((message) => ({ topic: batch.topic, partition: batch.partition, message }));
      for (const round of splitRounds(records, this.opts.maxRecordsPerRound, this.opts.maxBytesPerRound)) {
        if (!payload.isRunning() || payload.isStale() || !this.opts.backpressure.shouldFetch()) return;
        const began = Date.now();
        let pauseMs: number | undefined;
        const trace = this.roundScope(batch.topic, batch.partition, round);
        let handled: number;
        try {
          handled = await this.opts.processor.process(round, { signal: this.opts.signal, heartbeat: payload.heartbeat, pause: (ms) => (pauseMs = ms), trace });
        } catch (err) {
          trace.end(err);
          throw err;
        }
        trace.setAttributes({ 'mesh.round.handled': handled });
        trace.end();
        if (handled > 0) await this.commit(payload, round.slice(0, handled));
        // The handler asked for the rest later: this partition waits, the others go on; the next
        // fetch starts after the last resolved offset, so the rest comes again.
        if (pauseMs !== undefined) this.pausePartition(payload, pauseMs);
        this.lastRoundAt = Date.now();
        this.reportSignals();
        this.opts.onRound?.({
          topic: batch.topic,
          partition: batch.partition,
          records: round.length,
          handled,
          firstOffset: round[0]!.message.offset,
          lastCommittedOffset: handled > 0 ? round[handled - 1]!.message.offset : null,
          durationMs: Date.now() - began,
        });
        if (handled < round.length) return; // aborted or paused: the rest comes again
      }
    } finally {
      release();
    }
  }

  private roundScope(topic: string, partition: number, round: readonly InboundRecord[]) {
    const { tracing, groupId } = this.opts;
    if (!tracing.enabled) return UNTRACED;
    return tracing.scope({
      name: `process ${topic}`,
      kind: SpanKind.CONSUMER,
      parents: round.map((r) => headerString(r.message.headers, TRACE_HEADERS.traceparent)),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.consumer.group.name': groupId,
        'messaging.batch.message_count': round.length,
        'messaging.kafka.offset': Number(round[0]!.message.offset),
      },
    });
  }

  private pausePartition(payload: EachBatchPayload, ms: number): void {
    const resume = payload.pause();
    const timer = setTimeout(resume, Math.max(1, ms));
    timer.unref();
  }

  private async commit(payload: EachBatchPayload, handled: InboundRecord[]): Promise<void> {
    const last = handled[handled.length - 1]!;
    for (const r of handled) payload.resolveOffset(r.message.offset);
    this.opts.lastRecordTime.set(`${last.topic}:${last.partition}`, Number(last.message.timestamp));
    await this.opts.consumer.commitOffsets([{ topic: last.topic, partition: last.partition, offset: (BigInt(last.message.offset) + 1n).toString() }]);
  }

  /** Feeds the automatic backpressure states; called after each round and on a timer when idle. */
  reportSignals(now = Date.now()): void {
    const { concurrency, backpressure, processor } = this.opts;
    const idle = now - this.lastRoundAt > IDLE_AFTER_MS;
    backpressure.apply({
      type: 'signals',
      inFlight: concurrency.inFlight,
      maxInFlight: this.capacity,
      sinkLatencyMs: idle ? 0 : processor.lastHandleMs,
      circuitOpen: this.opts.circuitOpen(),
    });
  }
}
