// Kafka plumbing of the bench: topics, producing prepared messages (as fast as possible or at a
// steady rate), and waiting until a consumer group has committed the end of a topic.
import type { Admin, KafkaClient, Message, Producer } from '@ingest-mesh/kafka-client';

const CHUNK = 500;

/** Produces everything in chunks of 500, several requests in flight; returns the milliseconds taken. */
export async function produceAll(producer: Producer, topic: string, messages: readonly Message[], inFlight = 4): Promise<number> {
  const started = Date.now();
  const chunks: Message[][] = [];
  for (let i = 0; i < messages.length; i += CHUNK) chunks.push(messages.slice(i, i + CHUNK));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      await producer.send({ topic, acks: -1, messages: chunk });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return Date.now() - started;
}

/**
 * Produces at `ratePerSec` for as long as there are messages, in ticks of 50 ms; `stamp` is
 * called for each message just before its tick is sent (to set occurredAt to the send time).
 */
export async function produceAtRate(
  producer: Producer,
  topic: string,
  build: (i: number, now: number) => Message,
  count: number,
  ratePerSec: number,
): Promise<number> {
  const started = Date.now();
  const tickMs = 50;
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  while (sent < count) {
    const due = Math.min(count, Math.floor(((Date.now() - started + tickMs) * ratePerSec) / 1000));
    if (due > sent) {
      const now = Date.now();
      const messages: Message[] = [];
      for (; sent < due; sent++) messages.push(build(sent, now));
      // A late tick catches up in one go: in requests of CHUNK, as one would exceed the broker's
      // message size (the platformatic producer does not split a send).
      for (let i = 0; i < messages.length; i += CHUNK) pending.push(producer.send({ topic, acks: -1, messages: messages.slice(i, i + CHUNK) }));
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  await Promise.all(pending);
  return Date.now() - started;
}

/** The sum of a topic's end offsets (records ever written, for a topic without deletes). */
export async function endOffsetTotal(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/** Records of `topic` the group has not committed yet (a partition without a commit counts whole). */
export async function lagOf(admin: Admin, groupId: string, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return ends.reduce(
    (sum, end) => sum + Number(end.high) - Math.max(0, Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1)),
    0,
  );
}

/** Polls until `groupId` committed the end of every partition of `topic`; returns when (epoch ms). */
export async function waitCaughtUp(admin: Admin, groupId: string, topic: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = ends.every((end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
    if (done) return Date.now();
    if (Date.now() > deadline) throw new Error(`${groupId} did not catch up with ${topic} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Drain {
  /** Records the group committed while it was being watched after its first progress. */
  count: number;
  ms: number;
}

/**
 * Watches a consumer group drain a topic that was filled before it started: the rate is taken
 * from its first committed progress to the end, so joining the group (a rebalance of a few
 * seconds) is not counted as processing time. A group that is done within one look (too few
 * records) is timed from `startedAt`.
 */
export async function measureDrain(admin: Admin, groupId: string, topic: string, timeoutMs: number, startedAt = Date.now()): Promise<Drain> {
  const total = await endOffsetTotal(admin, topic);
  const deadline = Date.now() + timeoutMs;
  let first: { at: number; committed: number } | undefined;
  for (;;) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    const now = Date.now();
    if (first === undefined && done > 0) first = { at: now, committed: done };
    if (done >= total) {
      // Done within one look: all we know is the time since the start (joining included).
      if (first === undefined || now === first.at) return { count: total, ms: now - startedAt };
      return { count: done - first.committed, ms: now - first.at };
    }
    if (now > deadline) throw new Error(`${groupId} did not drain ${topic} within ${timeoutMs / 1000} s (${done} of ${total})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Records of `topic` per tenant (the part of the key before the first ':'), read from the beginning to the end offsets seen now. */
export async function countByTenant(kafka: KafkaClient, admin: Admin, topic: string, timeoutMs = 120_000): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (total === 0) return counts;
  const consumer = kafka.consumer({ groupId: `${topic}.counter.${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  let seen = 0;
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${seen} of ${total} records of ${topic} within ${timeoutMs / 1000} s`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key?.toString('utf8') ?? '';
          const tenant = key.slice(0, Math.max(0, key.indexOf(':')));
          counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
          if (++seen >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return counts;
}
