// One run of a platformatic consumer: group membership from the client (join, sync and
// heartbeats on its own timer), and our own fetch loop over the assigned partitions (see
// consumer.ts for why). Each join re-reads the assigned partitions' committed offsets (as kafkajs
// does): work in progress goes stale, finishes its round (committing what it handled), and only
// then are the positions read, so they include those commits.
import type { Consumer as PltConsumer, GroupAssignment, GroupOptions } from '@platformatic/kafka';
import type { KafkaLogger, RunOptions, TopicPartitionOffset } from '../port.js';
import { handleBatch, type BatchJob, type HandlerContext } from './batch-handler.js';
import { fetchRound, type Fetched, type FetchSettings, type FetchWant, type OutOfRange } from './fetcher.js';
import { PartitionCursor } from './partition-cursor.js';
import type { PauseState } from './pause-state.js';
import { roundWaitMs } from './round-wait.js';
import { partitionKey as keyOf, startPositions } from './start-positions.js';
import { Wakeup } from './wakeup.js';
import { WorkQueue } from './work-queue.js';

export interface RunnerOptions {
  client: PltConsumer;
  group: GroupOptions;
  fetch: FetchSettings;
  /** Subscribed topics and whether each starts at its earliest offset where the group has none. */
  topics: ReadonlyMap<string, boolean>;
  pauses: PauseState;
  run: RunOptions;
  retries: number;
  backoffMs(attempt: number): number;
  logger: KafkaLogger | undefined;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  joined(): void;
  crashed(error: Error, restart: boolean): void;
}

const IDLE_WAIT_MS = 1000;

export class Runner {
  private running = true;
  private rebalancing = true;
  private generation = 0;
  private cursors = new Map<string, PartitionCursor>();
  /** Seeks asked for while no assignment stands (mid-rebalance): applied when one is installed. */
  private readonly pendingSeeks = new Map<string, bigint>();
  private readonly work: WorkQueue<BatchJob>;
  private readonly wakeup = new Wakeup();
  private rejoinFailures = 0;
  private firstJoin: { resolve(): void; reject(error: unknown): void } | undefined;

  constructor(private readonly opts: RunnerOptions) {
    const context: HandlerContext = {
      run: opts.run,
      pauses: opts.pauses,
      isRunning: this.isRunning,
      notify: this.notify,
      commit: (offsets) => opts.commit(offsets),
      backoffMs: (failures) => opts.backoffMs(failures),
      retries: opts.retries,
      failed: (error, job, crash) => {
        opts.logger?.error({ err: error, topic: job.batch.topic, partition: job.batch.partition }, 'a batch handler failed; its records come again');
        if (crash) opts.crashed(asError(error), true);
      },
    };
    this.work = new WorkQueue(Math.max(1, opts.run.partitionsConsumedConcurrently ?? 1), (job) => handleBatch(job, context), this.notify);
  }

  isRunning = (): boolean => this.running;

  async start(): Promise<void> {
    const { client } = this.opts;
    client.on('consumer:group:join', this.onJoin);
    client.on('consumer:group:rebalance', this.onRebalance);
    client.on('error', this.onClientError);
    client.topics.trackAll(...this.opts.topics.keys());
    const joined = new Promise<void>((resolve, reject) => (this.firstJoin = { resolve, reject }));
    joined.catch(() => undefined); // awaited below; this only keeps an early rejection from counting as unhandled
    try {
      await client.joinGroup(this.opts.group);
      await joined;
    } catch (error) {
      await this.stop();
      throw error;
    }
    void this.loop().catch((error: unknown) => {
      // A bug in the loop itself: say so and end the run rather than hang without fetching.
      this.opts.crashed(asError(error), false);
      return this.stop();
    });
  }

  /** Ends the run: handlers finish their round, then the consumer leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.notify();
    await this.work.idle();
    const { client } = this.opts;
    client.off('consumer:group:join', this.onJoin);
    client.off('consumer:group:rebalance', this.onRebalance);
    // The callback form: the promise overload cannot be told apart from it by TypeScript.
    await new Promise<void>((resolve) =>
      client.leaveGroup(false, (error) => {
        if (error) this.opts.logger?.warn({ err: error }, 'leaving the consumer group failed');
        resolve();
      }),
    );
    client.off('error', this.onClientError);
    client.topics.untrackAll(...this.opts.topics.keys());
    await this.opts.fetch.connectionPool?.close().catch((error: unknown) => this.opts.logger?.warn({ err: error }, 'closing the fetch connections failed'));
  }

  /** Fetching of the partition continues from `offset` (after the rebalance, if one is under way). */
  seek(topic: string, partition: number, offset: bigint): void {
    const cursor = this.rebalancing ? undefined : this.cursors.get(keyOf(topic, partition));
    if (!cursor) {
      this.pendingSeeks.set(keyOf(topic, partition), offset);
      return;
    }
    cursor.seek(offset);
    this.notify();
  }

  notify = (): void => {
    this.wakeup.wake();
  };

  private readonly onJoin = ({ assignments }: { assignments?: GroupAssignment[] }): void => {
    const generation = ++this.generation;
    this.rebalancing = true;
    for (const cursor of this.cursors.values()) cursor.revoke();
    this.rejoinFailures = 0;
    this.install(generation, assignments ?? []).catch((error: unknown) => {
      if (this.firstJoin) return this.firstJoin.reject(error);
      this.opts.crashed(asError(error), true);
      this.rejoinLater();
    });
  };

  private readonly onRebalance = (): void => {
    this.rebalancing = true;
    for (const cursor of this.cursors.values()) cursor.revoke();
  };

  /** The client failed to rejoin after losing its membership and stops heartbeating: we rejoin. */
  private readonly onClientError = (error: unknown): void => {
    if (!this.running) return;
    this.opts.crashed(asError(error), true);
    this.rejoinLater();
  };

  private rejoinLater(): void {
    const timer = setTimeout(() => {
      if (!this.running) return;
      this.opts.client.joinGroup(this.opts.group).catch(this.onClientError);
    }, this.opts.backoffMs(++this.rejoinFailures));
    timer.unref();
  }

  private async install(generation: number, assignments: GroupAssignment[]): Promise<void> {
    await this.work.idle();
    if (generation !== this.generation || !this.running) return;
    const positions = await startPositions(this.opts.client, assignments, this.opts.topics);
    if (generation !== this.generation || !this.running) return;
    this.cursors = new Map(
      assignments.flatMap(({ topic, partitions }) =>
        partitions.map((p) => [keyOf(topic, p), new PartitionCursor(topic, p, positions.get(keyOf(topic, p)) ?? 0n)] as const),
      ),
    );
    for (const [key, offset] of this.pendingSeeks) this.cursors.get(key)?.seek(offset); // others: not ours, dropped as kafkajs drops them
    this.pendingSeeks.clear();
    this.rebalancing = false;
    this.firstJoin?.resolve();
    this.firstJoin = undefined;
    this.opts.joined(); // in the same tick as the cursors: a listener's seek applies before any fetch
    this.notify();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const wants = this.rebalancing ? [] : this.fetchable();
      if (wants.length === 0) {
        await this.wakeup.sleep(this.untilRetry());
        continue;
      }
      const generation = this.generation;
      const wakes = this.wakeup.wakes;
      const maxWaitTime = roundWaitMs(this.cursors.values(), Date.now(), this.opts.fetch.maxWaitTime);
      const round = await fetchRound(this.opts.client, wants, { ...this.opts.fetch, maxWaitTime }).catch((error: unknown) => ({
        fetched: [],
        outOfRange: [],
        errors: [error],
      }));
      if (!this.running) return;
      if (generation !== this.generation) continue; // reassigned meanwhile: positions were read afresh
      let moved = round.outOfRange.length > 0;
      for (const o of round.outOfRange) this.reset(o);
      for (const f of round.fetched) moved = this.dispatch(f) || moved;
      if (round.errors.length === 0) {
        failures = 0;
        // A round that did not wait (a batch was in a handler) and found nothing new: rather than
        // poll again at once, wait until something changes (a batch ends, a resume, a seek; one
        // that came during the round counts) or maxWaitTime passes, which bounds how late the
        // records of an idle partition are seen while the others are busy.
        if (maxWaitTime === 0 && !moved) await this.wakeup.sleep(Math.min(this.opts.fetch.maxWaitTime, this.untilRetry()), wakes);
        continue;
      }
      failures++;
      this.opts.logger?.warn({ err: round.errors[0], failures }, 'fetching failed; trying again');
      if (failures > this.opts.retries) {
        this.opts.crashed(asError(round.errors[0]), true);
        failures = 0;
      }
      await this.wakeup.sleep(this.opts.backoffMs(failures));
    }
  }

  private fetchable(): FetchWant[] {
    const now = Date.now();
    const wants: FetchWant[] = [];
    for (const cursor of this.cursors.values()) {
      if (cursor.busy || cursor.retryAt > now || this.opts.pauses.isPaused(cursor.topic, cursor.partition)) continue;
      wants.push({ cursor, offset: cursor.next, epoch: cursor.epoch });
    }
    return wants;
  }

  /** A want still holds when its cursor is the current one and has not moved since the round began. */
  private holds({ cursor, offset, epoch }: FetchWant): boolean {
    return this.cursors.get(keyOf(cursor.topic, cursor.partition)) === cursor && cursor.epoch === epoch && !cursor.busy && cursor.next === offset;
  }

  /** Hands the records to the work queue; whether the cursor moved (a batch queued, or markers stepped over). */
  private dispatch({ want, messages, end, highWatermark }: Fetched): boolean {
    const { cursor } = want;
    // Paused while the fetch was out: these records are fetched again after the resume.
    if (!this.holds(want) || this.opts.pauses.isPaused(cursor.topic, cursor.partition)) return false;
    const first = messages[0];
    if (!first) {
      if (end === undefined || end <= cursor.next) return false;
      cursor.next = end; // only transaction markers: step over them
      return true;
    }
    const ticket = cursor.begin(BigInt(first.offset));
    this.work.push({ cursor, ticket, batch: { topic: cursor.topic, partition: cursor.partition, highWatermark: highWatermark.toString(), messages } });
    return true;
  }

  /** The offset left the log (retention, or a seek past its end): start over as a new group would. */
  private reset({ want, logStartOffset, highWatermark }: OutOfRange): void {
    if (!this.holds(want)) return;
    const earliest = this.opts.topics.get(want.cursor.topic) ?? false;
    this.opts.logger?.warn({ topic: want.cursor.topic, partition: want.cursor.partition, offset: want.offset.toString() }, 'offset out of range; resetting');
    want.cursor.seek(earliest ? logStartOffset : highWatermark);
  }

  /** How long the loop may sleep with nothing to fetch: until the first back-off ends, at most a second. */
  private untilRetry(): number {
    const now = Date.now();
    let wait = IDLE_WAIT_MS;
    for (const c of this.cursors.values()) if (c.retryAt > now) wait = Math.min(wait, c.retryAt - now);
    return wait;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
