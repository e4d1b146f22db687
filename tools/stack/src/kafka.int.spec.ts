// The stack's Kafka, driven by kafkajs (the mesh's client): topic admin, produce with explicit
// timestamps, a consumer group that commits, and the offset look-ups replay and lag rely on
// (committed group offsets, topic watermarks, offsets by timestamp).
import { randomUUID } from 'node:crypto';
import { stackEndpoints } from '@ingest-mesh/testing';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type EachBatchPayload } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const brokers = stackEndpoints()
  .KAFKA_BROKERS.split(',')
  .map((b) => b.trim());
const topic = `stack-int-${randomUUID()}`;
const groupId = `stack-int-${randomUUID()}`;
const PARTITIONS = 3;
const N = 30; // message i goes to partition i % 3 at offset floor(i / 3)
// Whole seconds, a minute in the past: inside the broker's accepted timestamp window.
const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const timestampOf = (i: number) => base + i * 1000;

interface Seen {
  partition: number;
  offset: string;
  key: string;
  value: string;
  timestamp: string;
}

describe(`Kafka at ${brokers.join(',')}`, () => {
  const kafka = new Kafka({
    clientId: 'stack-int',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  let admin: Admin;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    try {
      await admin.deleteGroups([groupId]);
    } finally {
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
      await admin.disconnect();
    }
  });

  it('created the topic with 3 partitions led by the one broker', async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics).toHaveLength(1);
    const partitions = [...topics[0]!.partitions].sort((a, b) => a.partitionId - b.partitionId);
    expect(partitions.map((p) => p.partitionId)).toEqual([0, 1, 2]);
    for (const p of partitions) {
      expect(p.leader).toBeGreaterThanOrEqual(0);
      expect(p.replicas).toEqual([p.leader]);
    }
  });

  it('does not create topics on first use (auto.create.topics.enable=false)', async () => {
    const missing = `stack-int-missing-${randomUUID()}`;
    const producer = kafka.producer({
      allowAutoTopicCreation: true, // asks for it; the broker must still refuse
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    await producer.connect();
    try {
      await expect(producer.send({ topic: missing, messages: [{ value: 'x' }] })).rejects.toThrow(
        /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION/,
      );
    } finally {
      await producer.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(missing);
  });

  it('produces N messages with explicit timestamps and reports the high watermarks', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    try {
      const messages = Array.from({ length: N }, (_, i) => ({
        partition: i % PARTITIONS,
        key: `k${i}`,
        value: `v${i}`,
        timestamp: String(timestampOf(i)),
      }));
      const meta = await producer.send({ topic, acks: -1, messages });
      expect(meta.map((m) => [m.partition, m.errorCode, m.baseOffset]).sort()).toEqual([
        [0, 0, '0'],
        [1, 0, '0'],
        [2, 0, '0'],
      ]);
    } finally {
      await producer.disconnect();
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([0, 1, 2].map((partition) => ({ partition, offset: '10', high: '10', low: '0' })));
  });

  it('consumes them in a consumer group with eachBatch and commits the offsets', async () => {
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen: Seen[] = [];
    const c = consumer;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.length} of ${N} messages in 30s`)), 30_000);
      c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
          for (const m of batch.messages) {
            seen.push({
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString() ?? '',
              value: m.value?.toString() ?? '',
              timestamp: m.timestamp,
            });
            resolveOffset(m.offset);
          }
          const last = batch.lastOffset();
          await c.commitOffsets([{ topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
          await heartbeat();
          if (seen.length >= N) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
    await consumer.disconnect();
    consumer = undefined;

    const expected: Seen[] = Array.from({ length: N }, (_, i) => ({
      partition: i % PARTITIONS,
      offset: String(Math.floor(i / PARTITIONS)),
      key: `k${i}`,
      value: `v${i}`,
      timestamp: String(timestampOf(i)),
    }));
    const order = (a: Seen, b: Seen) => a.partition - b.partition || Number(a.offset) - Number(b.offset);
    expect(seen.sort(order)).toEqual(expected.sort(order));
  });

  it('returns the committed offsets of the group', async () => {
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed).toHaveLength(1);
    expect(committed[0]!.topic).toBe(topic);
    expect([...committed[0]!.partitions].sort((a, b) => a.partition - b.partition)).toEqual(
      [0, 1, 2].map((partition) => ({ partition, offset: '10', metadata: null })),
    );
  });

  it('resolves offsets by timestamp', async () => {
    const sorted = (xs: { partition: number; offset: string }[]) => [...xs].sort((a, b) => a.partition - b.partition);
    // First message at or after message 16's timestamp: i=18 (p0, offset 6), i=16 (p1, 5), i=17 (p2, 5).
    expect(sorted(await admin.fetchTopicOffsetsByTimestamp(topic, timestampOf(16)))).toEqual([
      { partition: 0, offset: '6' },
      { partition: 1, offset: '5' },
      { partition: 2, offset: '5' },
    ]);
    // Before everything: the start of each partition.
    expect(sorted(await admin.fetchTopicOffsetsByTimestamp(topic, base - 3_600_000))).toEqual([0, 1, 2].map((partition) => ({ partition, offset: '0' })));
    // After everything: the broker answers -1 and kafkajs falls back to the high watermark.
    expect(sorted(await admin.fetchTopicOffsetsByTimestamp(topic, timestampOf(N + 10)))).toEqual([0, 1, 2].map((partition) => ({ partition, offset: '10' })));
  });
});
