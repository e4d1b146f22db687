// Executes one claimed run: reads the plan's partitions from their checkpoints to the window's
// end with a consumer group of its own (never committed to: PostgreSQL holds the positions),
// keeps the tenant's records, republishes them throttled, and checkpoints after every produce.
//
// Crash safety: the checkpoint is written right after the produce is acknowledged. A coordinator
// killed between the two produces that segment again on resume — at most one segment
// (REPLAY_BATCH_RECORDS read records) is duplicated, and the sinks' revision guards (an equal
// revision is a no-op) and the router's dedupe make the copy harmless.
import type { Admin, KafkaClient, KafkaMessage, Message, Producer } from '@ingest-mesh/kafka-client';
import { TokenBucket } from '@ingest-mesh/backpressure';
import type { Logger } from '@ingest-mesh/telemetry';
import { replayHeaders } from './replay-headers.js';
import type { PartitionRow, PlanRow, PlanStatus, ReplayStore } from './store.js';
import type { TenantRecognizer } from './tenant-of.js';

export interface ReplayRunDeps {
  kafka: KafkaClient;
  /** Removes a run's group once its consumer left (it never holds offsets worth keeping). */
  admin: Pick<Admin, 'deleteGroups'>;
  producer: Producer;
  store: ReplayStore;
  recognizer: TenantRecognizer;
  instanceId: string;
  leaseMs: number;
  batchRecords: number;
  fetchMaxBytes: number;
  groupPrefix: string;
  logger: Logger;
}

export type RunEnd = { kind: 'completed' } | { kind: 'stopped'; status: PlanStatus | 'lost' | 'shutdown' } | { kind: 'failed'; error: unknown };

interface PartitionState extends PartitionRow {
  done: boolean;
}

/** Segments: the records produced together and covered by one checkpoint. */
export function segmentLimit(throttle: number, batchRecords: number): number {
  // Throttled: at most ~200 ms worth of tokens per produce, so the rate is smooth, not bursty.
  return throttle > 0 ? Math.max(1, Math.min(batchRecords, Math.ceil(throttle / 5))) : batchRecords;
}

export async function executeRun(plan: PlanRow, deps: ReplayRunDeps, signal: AbortSignal): Promise<RunEnd> {
  const parts = new Map<string, PartitionState>();
  for (const p of await deps.store.partitionsOf(plan.id)) parts.set(`${p.topic}:${p.partition}`, { ...p, done: p.next >= p.end });
  const pending = () => [...parts.values()].filter((p) => !p.done);
  if (pending().length === 0) return { kind: 'completed' };

  const limit = segmentLimit(plan.throttle, deps.batchRecords);
  const bucket = plan.throttle > 0 ? new TokenBucket({ ratePerSec: plan.throttle, burst: limit }) : undefined;
  const stop = new AbortController();
  let end: RunEnd | undefined;
  let finished!: () => void;
  const over = new Promise<void>((resolve) => (finished = resolve));
  const finish = (e: RunEnd) => {
    end ??= e;
    stop.abort();
    finished();
  };
  const onShutdown = () => finish({ kind: 'stopped', status: 'shutdown' });
  signal.addEventListener('abort', onShutdown, { once: true });

  const topics = [...new Set(pending().map((p) => p.topic))];
  const groupId = `${deps.groupPrefix}.${plan.id}.${deps.instanceId}`;
  const consumer = deps.kafka.consumer({
    groupId,
    maxWaitTimeInMs: 500,
    maxBytesPerPartition: deps.fetchMaxBytes,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
  });
  consumer.onCrash(({ error }) => finish({ kind: 'failed', error }));

  const produceAndCheckpoint = async (p: PartitionState, records: KafkaMessage[], mine: KafkaMessage[]): Promise<boolean> => {
    if (mine.length > 0) {
      await bucket?.take(mine.length, stop.signal);
      const target = plan.target ?? p.topic;
      const messages: Message[] = mine.map((m) => ({
        key: m.key,
        value: m.value,
        headers: replayHeaders(plan.id, p.topic, p.partition, m),
        // Back into its own topic: the same partition, so per-key order is what it was.
        ...(target === p.topic ? { partition: p.partition } : {}),
      }));
      await deps.producer.send({ topic: target, acks: -1, messages });
    }
    const next = Number(records[records.length - 1]!.offset) + 1;
    const status = await deps.store.checkpoint(plan.id, deps.instanceId, deps.leaseMs, {
      topic: p.topic,
      partition: p.partition,
      next,
      read: records.length,
      produced: mine.length,
    });
    p.next = next;
    if (status === undefined) finish({ kind: 'stopped', status: 'lost' });
    else if (status !== 'running') finish({ kind: 'stopped', status });
    return status === 'running';
  };

  const lease = setInterval(
    () => {
      deps.store.renew(plan.id, deps.instanceId, deps.leaseMs).then(
        (status) => {
          if (status === undefined) finish({ kind: 'stopped', status: 'lost' });
          else if (status !== 'running') finish({ kind: 'stopped', status });
        },
        (err: unknown) => deps.logger.warn({ err, planId: plan.id }, 'could not renew the replay lease; retrying'),
      );
    },
    Math.max(250, Math.floor(deps.leaseMs / 3)),
  );

  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      // Offsets are resolved (the fetch position moves on) but never committed.
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat }) => {
        const p = parts.get(`${batch.topic}:${batch.partition}`);
        if (!p || p.done || stop.signal.aborted) return;
        try {
          let records: KafkaMessage[] = [];
          let mine: KafkaMessage[] = [];
          for (const m of batch.messages) {
            if (stop.signal.aborted) return;
            const offset = Number(m.offset);
            // Before the checkpoint (a fetch from before the seek) or past the window: not ours.
            if (offset < p.next) continue;
            if (offset >= p.end) break;
            records.push(m);
            if ((await deps.recognizer.tenantOf(m)) === plan.tenant) mine.push(m);
            if (mine.length >= limit || records.length >= deps.batchRecords) {
              if (!(await produceAndCheckpoint(p, records, mine))) return;
              records = [];
              mine = [];
              await heartbeat();
            }
          }
          if (records.length > 0 && !(await produceAndCheckpoint(p, records, mine))) return;
          const last = batch.messages[batch.messages.length - 1];
          if (p.next >= p.end || (last !== undefined && Number(last.offset) >= p.end - 1)) {
            p.done = true;
            consumer.pause([{ topic: p.topic, partitions: [p.partition] }]);
            if (pending().length === 0) finish({ kind: 'completed' });
          }
        } catch (err) {
          if (!stop.signal.aborted) finish({ kind: 'failed', error: err });
        }
      },
    });
    // Not in the plan (empty window) or already done: never fetched.
    for (const topic of topics) {
      const idle = [...parts.values()].filter((p) => p.topic === topic && p.done).map((p) => p.partition);
      if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    }
    for (const p of pending()) consumer.seek({ topic: p.topic, partition: p.partition, offset: String(p.next) });
    await over;
  } catch (err) {
    finish({ kind: 'failed', error: err });
  } finally {
    clearInterval(lease);
    signal.removeEventListener('abort', onShutdown);
    await consumer.disconnect().catch((err: unknown) => deps.logger.warn({ err, planId: plan.id }, 'could not disconnect the replay consumer'));
    await deps.admin.deleteGroups([groupId]).catch((err: unknown) => deps.logger.debug({ err, groupId }, 'could not delete the run group'));
  }
  return end ?? { kind: 'completed' };
}
