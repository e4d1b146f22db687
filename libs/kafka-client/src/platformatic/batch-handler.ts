// Hands one fetched batch of one partition to the application: eachBatch with the port's payload,
// or eachMessage record by record (stopping where the consumer stops, the batch goes stale or the
// partition is paused). What the handler resolves moves the partition's cursor; what it does not
// is fetched again. A failing handler does not stop the consumer: the partition backs off and its
// unresolved records come again, and once the failures exceed the retries the crash listeners hear.
import type { Batch, RunOptions, TopicPartitionOffset } from '../port.js';
import type { BatchTicket, PartitionCursor } from './partition-cursor.js';
import type { PauseState } from './pause-state.js';

export interface BatchJob {
  cursor: PartitionCursor;
  ticket: BatchTicket;
  batch: Batch;
}

export interface HandlerContext {
  run: RunOptions;
  pauses: PauseState;
  isRunning(): boolean;
  /** Something changed that the fetch loop waits for (a partition resumed). */
  notify(): void;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** A failed batch: its partition waits this long before it is fetched again. */
  backoffMs(failures: number): number;
  retries: number;
  failed(error: unknown, job: BatchJob, crash: boolean): void;
}

export async function handleBatch(job: BatchJob, ctx: HandlerContext): Promise<void> {
  const { cursor, ticket, batch } = job;
  const { topic, partition } = batch;
  try {
    if (cursor.isStale(ticket) || !ctx.isRunning()) return;
    const pause = () => {
      ctx.pauses.pause([{ topic, partitions: [partition] }]);
      return () => {
        ctx.pauses.resume([{ topic, partitions: [partition] }]);
        ctx.notify();
      };
    };
    // Membership heartbeats run on the client's own timer, independent of handlers.
    const heartbeat = async () => {};
    if (ctx.run.eachBatch) {
      await ctx.run.eachBatch({
        batch,
        resolveOffset: (offset) => cursor.resolve(ticket, BigInt(offset)),
        heartbeat,
        isRunning: ctx.isRunning,
        isStale: () => cursor.isStale(ticket),
        pause,
      });
      const last = batch.messages[batch.messages.length - 1];
      if ((ctx.run.eachBatchAutoResolve ?? true) && last) cursor.resolve(ticket, BigInt(last.offset));
    } else if (ctx.run.eachMessage) {
      for (const message of batch.messages) {
        if (!ctx.isRunning() || cursor.isStale(ticket) || ctx.pauses.isPaused(topic, partition)) break;
        await ctx.run.eachMessage({ topic, partition, message, heartbeat, pause });
        cursor.resolve(ticket, BigInt(message.offset));
      }
    }
    cursor.failures = 0;
  } catch (error) {
    cursor.failures++;
    cursor.retryAt = Date.now() + ctx.backoffMs(cursor.failures);
    const crash = cursor.failures > ctx.retries;
    if (crash) cursor.failures = 0;
    ctx.failed(error, job, crash);
  } finally {
    await autoCommit(job, ctx);
    cursor.end(ticket);
  }
}

/** With autoCommit on, what the batch resolved is committed when it ends (kafkajs commits per batch). */
async function autoCommit({ cursor, ticket, batch }: BatchJob, ctx: HandlerContext): Promise<void> {
  const resolved = cursor.resolvedOffset(ticket);
  if (!(ctx.run.autoCommit ?? true) || resolved === undefined) return;
  await ctx
    .commit([{ topic: batch.topic, partition: batch.partition, offset: resolved.toString() }])
    .catch((error: unknown) => ctx.failed(error, { cursor, ticket, batch }, false));
}
