// The port's contract, the same tests for every adapter, on the real broker: what the mesh relies
// on when it produces, consumes in per-partition batches with manual commits, pauses and seeks,
// and administers topics, groups and offsets. An adapter is correct when it passes all of them.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { KAFKA_CLIENT_KINDS, type EachBatchPayload, type KafkaClientKind, type KafkaMessage } from './port.js';
import { PortHarness, sleep, until, type Seen } from './test-support/port-harness.js';

const run = randomUUID().slice(0, 8);
const otherThan = (kind: KafkaClientKind): KafkaClientKind => KAFKA_CLIENT_KINDS.find((k) => k !== kind)!;
const offsetsOf = (seen: Seen[], partition?: number) => seen.filter((s) => partition === undefined || s.partition === partition).map((s) => s.message.offset);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

describe.each(KAFKA_CLIENT_KINDS)('the %s adapter', (kind) => {
  const h = new PortHarness(kind, run);

  beforeAll(async () => {
    await h.admin.connect();
  });
  afterEach(async () => {
    await h.disconnectConsumers();
  });
  afterAll(async () => {
    await h.close();
  });

  describe('producing', () => {
    it('an idempotent producer writes keys, values, headers and timestamps that both adapters read back byte for byte', async () => {
      const topic = await h.topic('bytes');
      const producer = await h.producer();
      const timestamp = String(Date.now() - 60_000);
      const binary = Buffer.from([0, 1, 2, 253, 254, 255]);
      const metadata = await producer.send({
        topic,
        messages: [
          { key: binary, value: Buffer.from('{"n":1}'), headers: { 'x-bin': binary, 'x-text': 'tenant-ö', 'x-rep': ['one', Buffer.from('two')] }, timestamp },
          { key: 'text-key', value: 'second', headers: {} },
          { key: null, value: null },
        ],
      });
      expect(metadata).toEqual([{ topicName: topic, partition: 0, errorCode: 0, baseOffset: '0' }].map((m) => expect.objectContaining(m)));

      const read = async (reader: KafkaClientKind) => {
        const { seen } = await h.collector(h.group(`bytes-${reader}`), [topic], reader);
        await until('3 records', () => seen.length >= 3);
        return seen.map((s) => s.message);
      };
      const [own, other] = [await read(kind), await read(otherThan(kind))];
      const [first, second, third] = own as [KafkaMessage, KafkaMessage, KafkaMessage];
      expect(first.key).toEqual(binary);
      expect(first.value).toEqual(Buffer.from('{"n":1}'));
      expect(first.headers).toEqual({ 'x-bin': binary, 'x-text': Buffer.from('tenant-ö'), 'x-rep': [Buffer.from('one'), Buffer.from('two')] });
      expect(first.timestamp).toBe(timestamp);
      expect([second.key, second.value]).toEqual([Buffer.from('text-key'), Buffer.from('second')]);
      expect([third.key, third.value]).toEqual([null, null]);
      expect(own.map((m) => m.offset)).toEqual(['0', '1', '2']);
      const comparable = (ms: KafkaMessage[]) => ms.map(({ key, value, headers, offset, timestamp }) => ({ key, value, headers, offset, timestamp }));
      expect(comparable(other)).toEqual(comparable(own));
    });

    it('an idempotent producer refuses acks other than all', async () => {
      const topic = await h.topic('acks');
      const producer = await h.producer();
      await expect(producer.send({ topic, acks: 1, messages: [{ value: 'x' }] })).rejects.toThrow();
    });

    it('puts a key on the same partition as the other adapter does, and sendBatch writes several topics at once', async () => {
      const [a, b] = [await h.topic('keys-a', 6), await h.topic('keys-b', 6)];
      const keys = Array.from({ length: 40 }, (_, i) => `customer-${i}`);
      const mine = await h.producer();
      const theirs = await h.producer(otherThan(kind));
      const sent = await mine.sendBatch({
        topicMessages: [
          { topic: a, messages: keys.map((key) => ({ key, value: 'mine' })) },
          { topic: b, messages: [{ key: 'x', value: 'b' }] },
        ],
      });
      expect(new Set(sent.map((m) => m.topicName))).toEqual(new Set([a, b]));
      await theirs.send({ topic: a, messages: keys.map((key) => ({ key, value: 'theirs' })) });

      const { seen } = await h.collector(h.group('keys'), [a], otherThan(kind));
      await until('80 records', () => seen.length >= 80);
      const partitionsByKey = new Map<string, Set<number>>();
      for (const s of seen) partitionsByKey.set(String(s.message.key), (partitionsByKey.get(String(s.message.key)) ?? new Set()).add(s.partition));
      for (const key of keys) expect([key, partitionsByKey.get(key)?.size]).toEqual([key, 1]);
      expect(new Set(seen.map((s) => s.partition)).size).toBeGreaterThan(1);
    });
  });

  describe('consuming', () => {
    it('hands each partition its records in order, in batches, at most partitionsConsumedConcurrently partitions at once', async () => {
      const topic = await h.topic('ordered', 4);
      const producer = await h.producer();
      for (let round = 0; round < 5; round++) {
        await producer.send({
          topic,
          messages: [0, 1, 2, 3].flatMap((partition) => Array.from({ length: 10 }, (_, i) => ({ partition, value: `${partition}:${round * 10 + i}` }))),
        });
      }
      const seen: Seen[] = [];
      const active = new Set<number>();
      let peak = 0;
      let overlapped = false;
      await h.consumer({
        groupId: h.group('ordered'),
        topics: [topic],
        run: {
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 2,
          eachBatch: async ({ batch, resolveOffset }) => {
            if (active.has(batch.partition)) overlapped = true;
            active.add(batch.partition);
            peak = Math.max(peak, active.size);
            await sleep(30);
            for (const message of batch.messages) {
              seen.push({ topic, partition: batch.partition, message });
              resolveOffset(message.offset);
            }
            active.delete(batch.partition);
          },
        },
      });
      await until('200 records', () => seen.length >= 200);
      await sleep(300); // nothing more (no redelivery of resolved records)
      expect(seen).toHaveLength(200);
      for (const p of [0, 1, 2, 3]) {
        expect(offsetsOf(seen, p)).toEqual(range(0, 50));
        expect(seen.filter((s) => s.partition === p).map((s) => s.message.value?.toString())).toEqual(range(0, 50).map((i) => `${p}:${i}`));
      }
      expect([peak, overlapped]).toEqual([2, false]);
    });

    it('after resolveOffset and a manual commit, a restarted consumer of the group starts right after the committed offset', async () => {
      const topic = await h.topic('commit');
      const producer = await h.producer();
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
      const groupId = h.group('commit');
      let handled = false;
      const first = await h.consumer({
        groupId,
        topics: [topic],
        run: {
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset }) => {
            if (handled) return; // the rest is not handled: it must not count as done
            handled = true;
            for (const m of batch.messages.slice(0, 4)) resolveOffset(m.offset);
            await first.commitOffsets([{ topic, partition: 0, offset: '4' }]);
          },
        },
      });
      await until('the first round', () => handled);
      await first.disconnect();
      expect(await h.admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
        { topic, partitions: [expect.objectContaining({ partition: 0, offset: '4' })] },
      ]);

      const { seen } = await h.collector(groupId, [topic]);
      await until('the rest', () => seen.length >= 6);
      expect(offsetsOf(seen)).toEqual(range(4, 10));
    });

    it('a new group starts at the earliest offset with fromBeginning, else at the end', async () => {
      const topic = await h.topic('from');
      const producer = await h.producer();
      await producer.send({ topic, messages: [{ value: 'old' }] });
      const start = async (label: string, fromBeginning: boolean) => {
        const seen: Seen[] = [];
        let joined = false;
        await h.consumer({
          groupId: h.group(label),
          topics: [topic],
          fromBeginning,
          before: (c) => c.onGroupJoin(() => (joined = true)),
          run: { eachMessage: async ({ partition, message }) => void seen.push({ topic, partition, message }) },
        });
        await until(`${label} joined`, () => joined);
        return seen;
      };
      const [earliest, latest] = [await start('from-earliest', true), await start('from-latest', false)];
      await sleep(500); // positions are set when a member joins: the new record comes after
      await producer.send({ topic, messages: [{ value: 'new' }] });
      await until('the new record', () => earliest.length >= 2 && latest.length >= 1);
      expect(earliest.map((s) => s.message.value?.toString())).toEqual(['old', 'new']);
      expect(latest.map((s) => s.message.value?.toString())).toEqual(['new']);
    });

    it('a round that handles a prefix and pauses its partition gets the rest again, from the first unhandled offset, while the other partition goes on', async () => {
      const topic = await h.topic('prefix', 2);
      const producer = await h.producer();
      await producer.send({ topic, messages: [0, 1].flatMap((partition) => Array.from({ length: 10 }, (_, i) => ({ partition, value: `${i}` }))) });
      const deliveries: { partition: number; first: string; at: number }[] = [];
      const handled: Seen[] = [];
      let pausedAt = 0;
      let resumedAt = 0;
      const handle = async ({ batch, resolveOffset, pause }: EachBatchPayload, consumerCommit: (offset: string) => Promise<void>) => {
        deliveries.push({ partition: batch.partition, first: batch.messages[0]!.offset, at: Date.now() });
        const prefixOnly = batch.partition === 0 && pausedAt === 0;
        const take = prefixOnly ? batch.messages.slice(0, 3) : batch.messages;
        for (const message of take) {
          handled.push({ topic, partition: batch.partition, message });
          resolveOffset(message.offset);
        }
        await consumerCommit(String(BigInt(take[take.length - 1]!.offset) + 1n));
        if (prefixOnly) {
          pausedAt = Date.now();
          const resume = pause();
          setTimeout(() => {
            resumedAt = Date.now();
            resume();
          }, 3000);
        }
      };
      const consumer = await h.consumer({
        groupId: h.group('prefix'),
        topics: [topic],
        run: {
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 2,
          eachBatch: (payload) => handle(payload, (offset) => consumer.commitOffsets([{ topic, partition: payload.batch.partition, offset }])),
        },
      });
      await until('partition 0 paused', () => pausedAt > 0);
      await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 1, value: `late-${i}` })) });
      await until('partition 1 going on', () => offsetsOf(handled, 1).length >= 15);
      expect(resumedAt).toBe(0); // partition 1 got its late records while partition 0 was paused

      await until('partition 0 done', () => offsetsOf(handled, 0).length >= 10, 20_000);
      expect(offsetsOf(handled, 0)).toEqual(range(0, 10));
      expect(offsetsOf(handled, 1)).toEqual(range(0, 15));
      const again = deliveries.filter((d) => d.partition === 0)[1]!;
      expect(again.first).toBe('3');
      expect(again.at).toBeGreaterThanOrEqual(resumedAt);
    });

    it('pausing a whole topic stops its deliveries until it is resumed', async () => {
      const topic = await h.topic('paused', 2);
      const producer = await h.producer();
      await producer.send({ topic, messages: [0, 1].map((partition) => ({ partition, value: 'before' })) });
      const { consumer, seen } = await h.collector(h.group('paused'), [topic]);
      await until('the first records', () => seen.length >= 2);
      consumer.pause([{ topic }]);
      await sleep(500); // a fetch already out when pausing may still come back
      const before = seen.length;
      await producer.send({ topic, messages: [0, 1].map((partition) => ({ partition, value: 'while paused' })) });
      await sleep(2500);
      expect(seen.length).toBe(before);
      consumer.resume([{ topic }]);
      await until('the records from the pause', () => seen.length >= 4);
      expect(seen.map((s) => s.message.value?.toString()).sort()).toEqual(['before', 'before', 'while paused', 'while paused']);
    });

    it('seek moves a running partition back; a seek on group join sets where a new group starts', async () => {
      const topic = await h.topic('seek');
      const producer = await h.producer();
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
      const { consumer, seen } = await h.collector(h.group('seek'), [topic]);
      await until('all 10', () => seen.length >= 10);
      consumer.seek({ topic, partition: 0, offset: '2' });
      await until('from 2 again', () => seen.length >= 18);
      expect(offsetsOf(seen)).toEqual([...range(0, 10), ...range(2, 10)]);

      const joined = await h.collector(h.group('seek-join'), [topic], kind, (c) => c.onGroupJoin(() => c.seek({ topic, partition: 0, offset: '7' })));
      await until('from 7', () => joined.seen.length >= 3);
      expect(offsetsOf(joined.seen)).toEqual(range(7, 10));
    });

    it('a batch whose handler throws comes again, from its first unresolved record', async () => {
      const topic = await h.topic('throws');
      const producer = await h.producer();
      await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) });
      const firsts: string[] = [];
      const handled: string[] = [];
      await h.consumer({
        groupId: h.group('throws'),
        topics: [topic],
        run: {
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset }) => {
            firsts.push(batch.messages[0]!.offset);
            for (const m of batch.messages) {
              if (firsts.length === 1 && m.offset === '2') throw new Error('the sink is down');
              handled.push(m.offset);
              resolveOffset(m.offset);
            }
          },
        },
      });
      await until('all 5 handled', () => handled.length >= 5, 20_000);
      expect(handled).toEqual(range(0, 5));
      expect(firsts.slice(0, 2)).toEqual(['0', '2']);
    });

    it('members of both adapters share a group: the partitions are split, and when one leaves the other goes on from the committed offsets', async () => {
      const topic = await h.topic('shared', 4);
      const producer = await h.producer();
      const send = (tag: string) =>
        producer.send({ topic, messages: [0, 1, 2, 3].flatMap((partition) => Array.from({ length: 5 }, () => ({ partition, value: tag }))) });
      await send('first');
      const groupId = h.group('shared');
      const handled = new Map<KafkaClientKind, Seen[]>(KAFKA_CLIENT_KINDS.map((k) => [k, []]));
      const member = (who: KafkaClientKind) =>
        h.consumer(
          {
            groupId,
            topics: [topic],
            options: { heartbeatInterval: 500, sessionTimeout: 10_000 },
            run: {
              autoCommit: false,
              eachBatchAutoResolve: false,
              eachBatch: async ({ batch, resolveOffset, isStale, isRunning }) => {
                for (const message of batch.messages) {
                  if (isStale() || !isRunning()) return;
                  handled.get(who)!.push({ topic, partition: batch.partition, message });
                  resolveOffset(message.offset);
                }
                const last = batch.messages[batch.messages.length - 1]!;
                await consumers.get(who)!.commitOffsets([{ topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }]);
              },
            },
          },
          who,
        );
      const consumers = new Map([[kind, await member(kind)]]);
      await until('the first records', () => handled.get(kind)!.length >= 20);
      const other = otherThan(kind);
      consumers.set(other, await member(other));
      const partitionsOf = (who: KafkaClientKind, tag: string) =>
        new Set(
          handled
            .get(who)!
            .filter((s) => s.message.value?.toString() === tag)
            .map((s) => s.partition),
        );
      // Records sent until both members have some: the second member joins through a rebalance.
      await until(
        'both members handling',
        async () => {
          await send('shared');
          return partitionsOf(kind, 'shared').size > 0 && partitionsOf(other, 'shared').size > 0;
        },
        30_000,
        1000,
      );
      await consumers.get(other)!.disconnect();
      await send('after');
      await until('the remaining member on every partition', () => partitionsOf(kind, 'after').size === 4, 30_000);
      // Every record of every partition handled, in order, none skipped (some twice: at least once).
      const all = [...handled.values()].flat();
      for (const p of [0, 1, 2, 3]) {
        const offsets = [...new Set(all.filter((s) => s.partition === p).map((s) => Number(s.message.offset)))].sort((a, b) => a - b);
        expect(offsets).toEqual(offsets.map((_, i) => i));
      }
    });
  });

  describe('administering', () => {
    it('createTopics creates what is missing (true), ignores what exists (false), with its config entries', async () => {
      const topic = h.name('created');
      const second = h.name('created-2');
      h.track(topic);
      h.track(second);
      const configEntries = [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'retention.ms', value: '3600000' },
      ];
      expect(await h.admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: -1, configEntries }], waitForLeaders: true })).toBe(true);
      expect(await h.admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(false);
      expect(await h.admin.createTopics({ topics: [{ topic }, { topic: second, numPartitions: 2 }] })).toBe(true);
      expect(await h.admin.listTopics()).toEqual(expect.arrayContaining([topic, second]));
      const configs = await h.admin.describeTopicConfigs([topic], ['cleanup.policy', 'retention.ms']);
      expect(configs.get(topic)).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '3600000' });
      const { topics } = await h.admin.fetchTopicMetadata({ topics: [topic, second] });
      // In no particular order (kafkajs gives the broker's).
      expect(new Map(topics.map((t) => [t.name, t.partitions.length]))).toEqual(
        new Map([
          [topic, 3],
          [second, 2],
        ]),
      );
      const partitions = topics.find((t) => t.name === topic)!.partitions;
      expect(partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      for (const p of partitions) expect(p.leader).toBeGreaterThanOrEqual(0);
    });

    it('topic offsets: watermarks, and by timestamp the first offset at or after it (else the high watermark)', async () => {
      const topic = await h.topic('times', 2);
      const producer = await h.producer();
      const t0 = Date.now() - 3_600_000;
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}`, timestamp: String(t0 + i * 1000) })) });
      const byPartition = <T extends { partition: number }>(rows: T[]) => [...rows].sort((a, b) => a.partition - b.partition);
      expect(byPartition(await h.admin.fetchTopicOffsets(topic))).toEqual([
        expect.objectContaining({ partition: 0, offset: '10', high: '10', low: '0' }),
        expect.objectContaining({ partition: 1, offset: '0', high: '0', low: '0' }),
      ]);
      expect(byPartition(await h.admin.fetchTopicOffsetsByTimestamp(topic, t0 + 4500))).toEqual([
        { partition: 0, offset: '5' },
        { partition: 1, offset: '0' },
      ]);
      expect(byPartition(await h.admin.fetchTopicOffsetsByTimestamp(topic, t0 + 60_000))).toEqual([
        { partition: 0, offset: '10' },
        { partition: 1, offset: '0' },
      ]);
    });

    it('group offsets: -1 without a commit; setOffsets and resetOffsets move them, and a consumer of the group starts there', async () => {
      const topic = await h.topic('offsets', 2);
      const producer = await h.producer();
      await producer.send({ topic, messages: [0, 1].flatMap((partition) => Array.from({ length: 5 }, (_, i) => ({ partition, value: `v${i}` }))) });
      const groupId = h.group('offsets');
      const committed = async () =>
        (await h.admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions
          .map(({ partition, offset }) => ({ partition, offset }))
          .sort((a, b) => a.partition - b.partition);
      expect(await committed()).toEqual([
        { partition: 0, offset: '-1' },
        { partition: 1, offset: '-1' },
      ]);

      await h.admin.setOffsets({
        groupId,
        topic,
        partitions: [
          { partition: 0, offset: '3' },
          { partition: 1, offset: '1' },
        ],
      });
      expect(await committed()).toEqual([
        { partition: 0, offset: '3' },
        { partition: 1, offset: '1' },
      ]);
      expect(await h.admin.fetchGroupOffsets(groupId)).toEqual([
        {
          topic,
          partitions: expect.arrayContaining([expect.objectContaining({ partition: 0, offset: '3' }), expect.objectContaining({ partition: 1, offset: '1' })]),
        },
      ]);
      const { seen } = await h.collector(groupId, [topic]);
      await until('the records after the set offsets', () => seen.length >= 6);
      expect([offsetsOf(seen, 0), offsetsOf(seen, 1)]).toEqual([range(3, 5), range(1, 5)]);
      // A group with a member refuses offsets set from outside.
      await expect(h.admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] })).rejects.toThrow();
      await h.disconnectConsumers();

      await h.admin.resetOffsets({ groupId, topic, earliest: true });
      const again = await h.collector(groupId, [topic]);
      await until('everything again', () => again.seen.length >= 10);
      await h.disconnectConsumers();

      await h.admin.resetOffsets({ groupId, topic });
      await producer.send({ topic, messages: [{ partition: 1, value: 'after the reset' }] });
      const latest = await h.collector(groupId, [topic]);
      await until('the record after the reset', () => latest.seen.length >= 1);
      await sleep(500);
      expect(latest.seen.map((s) => [s.partition, s.message.offset])).toEqual([[1, '5']]);
    });

    it('lists, describes and deletes groups; a group with members is not deleted and is named in the error', async () => {
      const topic = await h.topic('groups');
      const groupId = h.group('described');
      const { consumer } = await h.collector(groupId, [topic]);
      const described = await vi.waitFor(
        async () => {
          const [group] = (await h.admin.describeGroups([groupId])).groups;
          if (group?.state !== 'Stable') throw new Error(`group ${groupId} is ${group?.state}, not yet Stable`);
          return group;
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(described.members).toEqual([expect.objectContaining({ clientId: `port-int-${kind}-${run}` })]);
      expect(described.members[0]!.memberId).not.toBe('');
      expect((await h.admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });

      const refused = await h.admin.deleteGroups([groupId]).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toMatchObject({ groups: [groupId] });

      await consumer.disconnect();
      await h.admin.deleteGroups([groupId]);
      const [gone] = (await h.admin.describeGroups([groupId])).groups;
      expect(gone?.state).toBe('Dead');
    });

    it('describes the cluster', async () => {
      const cluster = await h.admin.describeCluster();
      expect(cluster.clusterId).toMatch(/\S/);
      expect(cluster.brokers.length).toBeGreaterThan(0);
      for (const b of cluster.brokers) expect(b).toEqual({ nodeId: expect.any(Number), host: expect.any(String), port: expect.any(Number) });
      expect(cluster.brokers.map((b) => b.nodeId)).toContain(cluster.controller);
    });
  });
});
