// The port's Admin on @platformatic/kafka, with kafkajs' results: topics and the cluster here,
// groups and their offsets in admin-groups.ts. Metadata is always asked afresh (forceUpdate):
// an admin call right after a create or delete must not answer from the client's cache.
import { Admin as PltAdmin, ConfigResourceTypes, findErrorBy, ListOffsetTimestamps, type BaseOptions } from '@platformatic/kafka';
import type { Admin, PartitionOffsets, TopicMetadata, TopicSpec } from '../port.js';
import { groupAdminOf } from './admin-groups.js';

/** How long createTopics waits for the new partitions' leaders (kafkajs waits with its retries). */
const LEADERS_WAIT_MS = 30_000;

export function adminOf(base: BaseOptions): Admin {
  const client = new PltAdmin(base);

  const partitionsOf = async (topic: string): Promise<number[]> => {
    const metadata = await client.metadata({ topics: [topic], forceUpdate: true });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    return Array.from({ length: count }, (_, i) => i);
  };

  /** Per partition, the offset the broker lists for `timestamp` (or LATEST/EARLIEST). */
  const listOffsets = async (topic: string, timestamp: bigint): Promise<Map<number, bigint>> => {
    const partitions = await partitionsOf(topic);
    const listed = await client.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }] });
    return new Map(listed.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.offset] as const)));
  };

  const fetchTopicOffsets = async (topic: string): Promise<PartitionOffsets[]> => {
    const [high, low] = await Promise.all([listOffsets(topic, ListOffsetTimestamps.LATEST), listOffsets(topic, ListOffsetTimestamps.EARLIEST)]);
    return [...high.keys()]
      .sort((a, b) => a - b)
      .map((partition) => ({ partition, offset: String(high.get(partition)), high: String(high.get(partition)), low: String(low.get(partition)) }));
  };

  const waitForLeaders = async (topics: string[]): Promise<void> => {
    const deadline = Date.now() + LEADERS_WAIT_MS;
    for (;;) {
      const metadata = await client.metadata({ topics, forceUpdate: true }).catch(() => undefined);
      const led = metadata !== undefined && topics.every((t) => (metadata.topics.get(t)?.partitions ?? []).every((p) => p !== undefined && p.leader >= 0));
      if (led || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  /** Creates one topic (configs are per request in the client); false when it already exists. */
  const createTopic = async (spec: TopicSpec): Promise<boolean> => {
    try {
      await client.createTopics({
        topics: [spec.topic],
        partitions: spec.numPartitions ?? -1,
        replicas: spec.replicationFactor ?? -1,
        configs: (spec.configEntries ?? []).map(({ name, value }) => ({ name, value })),
      });
      return true;
    } catch (error) {
      // Created by someone else since listTopics: kafkajs ignores that too.
      if (findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) return false;
      throw error;
    }
  };

  return {
    // The client connects lazily; asking for the cluster's metadata proves the brokers answer.
    connect: async () => {
      await client.metadata({ topics: [], forceUpdate: true });
    },
    disconnect: () => client.close(),
    // kafkajs lists every topic the broker has, internal ones included.
    listTopics: () => client.listTopics({ includeInternals: true }),
    createTopics: async ({ topics, waitForLeaders: wait = true }) => {
      const existing = new Set(await client.listTopics({ includeInternals: true }));
      const wanted = [...new Map(topics.filter((t) => !existing.has(t.topic)).map((t) => [t.topic, t])).values()];
      const created = wanted.length === 0 ? [] : await Promise.all(wanted.map(createTopic));
      const names = wanted.filter((_, i) => created[i]).map((t) => t.topic);
      if (names.length > 0 && wait) await waitForLeaders(names);
      return names.length > 0;
    },
    deleteTopics: ({ topics }) => client.deleteTopics({ topics }),
    fetchTopicMetadata: async (request) => {
      const names = request?.topics?.length ? request.topics : await client.listTopics({ includeInternals: true });
      // A copy: the client sorts the array it is given in place (Base#performMetadata).
      const metadata = await client.metadata({ topics: [...names], forceUpdate: true });
      const topics: TopicMetadata[] = names.map((name) => ({
        name,
        partitions: (metadata.topics.get(name)?.partitions ?? []).map((p, partitionId) => ({
          partitionId,
          leader: p.leader,
          replicas: [...p.replicas],
          isr: [...p.isr],
        })),
      }));
      return { topics };
    },
    describeTopicConfigs: async (topics, names) => {
      const described = await client.describeConfigs({
        resources: topics.map((resourceName) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName, ...(names ? { configurationKeys: names } : {}) })),
        includeSynonyms: false,
      });
      // Sensitive entries come without a value: left out rather than given a made-up one.
      return new Map(
        described.map((r) => [
          r.resourceName,
          Object.fromEntries(r.configs.flatMap((c): [string, string][] => (c.value === null || c.value === undefined ? [] : [[c.name, c.value]]))),
        ]),
      );
    },
    fetchTopicOffsets,
    fetchTopicOffsetsByTimestamp: async (topic, timestamp) => {
      if (timestamp === undefined) return (await fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high }));
      const [at, high] = await Promise.all([listOffsets(topic, BigInt(timestamp)), listOffsets(topic, ListOffsetTimestamps.LATEST)]);
      // -1: no record at or after the instant; kafkajs answers the high watermark then.
      return [...at.entries()]
        .sort(([a], [b]) => a - b)
        .map(([partition, offset]) => ({ partition, offset: String(offset < 0n ? high.get(partition) : offset) }));
    },
    ...groupAdminOf(client, { partitionsOf, fetchTopicOffsets }),
    describeCluster: async () => {
      const metadata = await client.metadata({ topics: [], forceUpdate: true });
      return {
        clusterId: metadata.id,
        controller: metadata.controllerId >= 0 ? metadata.controllerId : null,
        brokers: [...metadata.brokers.entries()].map(([nodeId, { host, port }]) => ({ nodeId, host, port })),
      };
    },
  };
}
