// The port's Consumer on @platformatic/kafka.
//
// Mechanism: the client's group membership (joinGroup: JoinGroup/SyncGroup, heartbeats on its own
// timer, rejoining on rebalance) plus a fetch loop of ours over the assigned partitions
// (Consumer.fetch, one request per leader broker), each partition fetched from its own cursor.
// Why not the client's MessagesStream (consume() in committed or manual mode): it is one object
// stream for all partitions with a read-ahead buffer (highWaterMark, 1024 records by default) and
// a single fetch position per partition that advances as soon as records are fetched. The port
// needs per-partition control it does not give: a partition paused by its handler must stop while
// the others go on; the records after the last resolved offset must come again (the stream would
// have them buffered and already past); a seek must drop what was fetched before it; and at most
// partitionsConsumedConcurrently partitions are handled at once, each strictly in order. Doing that
// on the stream means filtering and re-seeking its offsetsToFetch behind its back while it keeps
// buffering. With our own loop the cursor of a partition is the single truth: a partition with a
// batch in a handler is not fetched, and when the handler returns its cursor moves to the last
// resolved offset + 1 (or stays at the batch's first record), which the next fetch starts from.
// One fetch round is out at a time, and it long-polls (maxWaitTime) only when no partition can come
// free while it waits: with a batch in a handler it takes what is there and, if nothing was, the
// loop sleeps until a batch ends; otherwise that partition's next fetch would queue behind a long
// poll of idle partitions (round-wait.ts).
import { Admin as PltAdmin, ConnectionPool, Consumer as PltConsumer, type BaseOptions } from '@platformatic/kafka';
import { KafkaPortUsageError } from '../errors.js';
import type { Consumer, ConsumerOptions, KafkaLogger, RunOptions, TopicPartitionOffset } from '../port.js';
import { retryWait } from './options.js';
import { PauseState } from './pause-state.js';
import { Runner } from './runner.js';

/** kafkajs' consumer defaults, so both adapters behave alike when the mesh sets nothing. */
const DEFAULTS = {
  sessionTimeout: 30_000,
  rebalanceTimeout: 60_000,
  heartbeatInterval: 3000,
  maxWaitTimeInMs: 5000,
  minBytes: 1,
  maxBytes: 10_485_760,
  maxBytesPerPartition: 1_048_576,
};
/** kafkajs' protocol name and version: members of both adapters can share a group. */
const PROTOCOLS = [{ name: 'RoundRobinAssigner', version: 0 }];

export interface ConsumerContext {
  base: BaseOptions;
  retries: number;
  initialRetryTimeMs: number;
  logger: KafkaLogger | undefined;
}

export function consumerOf(ctx: ConsumerContext, options: ConsumerOptions): Consumer {
  const o = { ...DEFAULTS, ...definedOf(options) };
  const group = { sessionTimeout: o.sessionTimeout, rebalanceTimeout: o.rebalanceTimeout, heartbeatInterval: o.heartbeatInterval, protocols: PROTOCOLS };
  const client = new PltConsumer({
    ...ctx.base,
    groupId: options.groupId,
    autocommit: false,
    ...group,
    maxWaitTime: o.maxWaitTimeInMs,
    minBytes: o.minBytes,
    maxBytes: o.maxBytes,
  });
  const topics = new Map<string, boolean>();
  const pauses = new PauseState();
  const joinListeners: (() => void)[] = [];
  const crashListeners: ((crash: { error: Error; restart: boolean }) => void)[] = [];
  let runner: Runner | undefined;
  // The client emits 'error' when a rejoin fails; a running Runner handles it (it rejoins). Without
  // any listener an emitted 'error' would throw and end the process, so one stays for idle times.
  client.on('error', (error: unknown) => {
    if (!runner) ctx.logger?.warn({ err: error }, 'the consumer client reported an error while not running');
  });

  const commitOffsets = async (offsets: TopicPartitionOffset[]) => {
    if (offsets.length === 0) return;
    await client.commit({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: BigInt(offset), leaderEpoch: -1 })) });
  };

  const stop = async () => {
    const current = runner;
    runner = undefined;
    await current?.stop();
  };

  return {
    // The client connects lazily; asking for the cluster's metadata proves the brokers answer.
    connect: async () => {
      await client.metadata({ topics: [] });
    },
    disconnect: async () => {
      await stop();
      await client.close();
    },
    subscribe: async ({ topics: wanted, fromBeginning = false }) => {
      if (runner) throw new KafkaPortUsageError('cannot subscribe while the consumer is running');
      const names = await resolveTopics(ctx.base, wanted);
      await client.metadata({ topics: names }); // an unknown topic fails here, as with kafkajs
      for (const name of names) topics.set(name, fromBeginning);
    },
    run: async (run: RunOptions) => {
      if (runner) throw new KafkaPortUsageError('the consumer is already running');
      if (topics.size === 0) throw new KafkaPortUsageError('subscribe to a topic before running the consumer');
      // Fetches long-poll on connections of their own (see FetchSettings.connectionPool).
      const fetchPool = new ConnectionPool(ctx.base.clientId, ctx.base);
      const current = new Runner({
        client,
        group,
        fetch: {
          connectionPool: fetchPool,
          maxWaitTime: o.maxWaitTimeInMs,
          minBytes: o.minBytes,
          maxBytes: o.maxBytes,
          maxBytesPerPartition: o.maxBytesPerPartition,
        },
        topics,
        pauses,
        run,
        retries: ctx.retries,
        backoffMs: (attempt) => retryWait(ctx.initialRetryTimeMs, attempt),
        logger: ctx.logger,
        commit: commitOffsets,
        joined: () => joinListeners.forEach((listener) => listener()),
        crashed: (error, restart) => {
          ctx.logger?.error({ err: error, restart }, 'consumer crashed');
          crashListeners.forEach((listener) => listener({ error, restart }));
        },
      });
      runner = current;
      await current.start().catch((error: unknown) => {
        runner = undefined;
        throw error;
      });
    },
    stop,
    pause: (which) => pauses.pause(which),
    resume: (which) => {
      pauses.resume(which);
      runner?.notify();
    },
    seek: ({ topic, partition, offset }) => {
      if (!runner) throw new KafkaPortUsageError('seek needs a running consumer (call run first)');
      const at = BigInt(offset);
      if (at < 0n) throw new KafkaPortUsageError(`seek: offset must be a non-negative offset, got ${offset}`);
      runner.seek(topic, partition, at);
    },
    commitOffsets,
    onGroupJoin: (listener) => void joinListeners.push(listener),
    onCrash: (listener) => void crashListeners.push(listener),
  };
}

/** Topic names, with each pattern replaced by the existing topics it matches (once, as kafkajs does). */
async function resolveTopics(base: BaseOptions, wanted: (string | RegExp)[]): Promise<string[]> {
  const names = new Set(wanted.filter((t): t is string => typeof t === 'string'));
  const patterns = wanted.filter((t): t is RegExp => t instanceof RegExp);
  if (patterns.length > 0) {
    const admin = new PltAdmin(base);
    try {
      for (const topic of await admin.listTopics()) if (patterns.some((p) => new RegExp(p.source, p.flags.replace('g', '')).test(topic))) names.add(topic);
    } finally {
      await admin.close();
    }
  }
  return [...names];
}

function definedOf<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
