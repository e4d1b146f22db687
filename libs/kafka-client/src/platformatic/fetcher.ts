// One fetch round: the wanted partitions, each from its own next offset, in one Fetch request per
// leader broker (the requests to different brokers run in parallel). Records come back as the
// port's messages; partitions whose offset left the log are reported for a reset instead.
import { findErrorBy, protocolErrors, type ClusterMetadata, type ConnectionPool, type Consumer as PltConsumer } from '@platformatic/kafka';
import type { KafkaMessage } from '../port.js';
import type { PartitionCursor } from './partition-cursor.js';
import { messagesOf } from './records.js';

/** The client's Fetch response (its type is exported only inside a versioned API namespace). */
type FetchResponse = Awaited<ReturnType<PltConsumer['fetch']>>;

export interface FetchSettings {
  /**
   * The connections fetches go over, apart from the client's own: a broker answers one connection's
   * requests in order, so a fetch waiting up to maxWaitTime for data would hold back the commits,
   * heartbeats and metadata queued behind it (the client's MessagesStream keeps a pool of its own
   * for the same reason).
   */
  connectionPool?: ConnectionPool;
  maxWaitTime: number;
  minBytes: number;
  maxBytes: number;
  maxBytesPerPartition: number;
}

/** A partition to fetch, as its cursor stood when the round began. */
export interface FetchWant {
  cursor: PartitionCursor;
  offset: bigint;
  epoch: number;
}

export interface Fetched {
  want: FetchWant;
  messages: KafkaMessage[];
  /** Past the last record fetched, control records included. */
  end: bigint | undefined;
  highWatermark: bigint;
}

export interface OutOfRange {
  want: FetchWant;
  logStartOffset: bigint;
  highWatermark: bigint;
}

export interface FetchRound {
  fetched: Fetched[];
  outOfRange: OutOfRange[];
  /** Brokers whose request failed otherwise; the other brokers' records are still good. */
  errors: unknown[];
}

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;

export async function fetchRound(client: PltConsumer, wants: FetchWant[], settings: FetchSettings): Promise<FetchRound> {
  const metadata = await client.metadata({ topics: [...new Set(wants.map((w) => w.cursor.topic))] });
  const byNode = new Map<number, FetchWant[]>();
  for (const want of wants) {
    const leader = metadata.topics.get(want.cursor.topic)?.partitions[want.cursor.partition]?.leader;
    if (leader === undefined || leader < 0) continue; // no leader right now: the next round asks again
    byNode.set(leader, [...(byNode.get(leader) ?? []), want]);
  }
  const round: FetchRound = { fetched: [], outOfRange: [], errors: [] };
  await Promise.all(
    [...byNode].map(async ([node, nodeWants]) => {
      try {
        const response = await client.fetch({ node, topics: requestOf(metadata, nodeWants, settings), ...fetchLimits(settings) });
        round.fetched.push(...fetchedOf(metadata, nodeWants, response));
      } catch (error) {
        const outOfRange = outOfRangeOf(metadata, nodeWants, error);
        if (outOfRange.length > 0) round.outOfRange.push(...outOfRange);
        else round.errors.push(error);
      }
    }),
  );
  return round;
}

function fetchLimits({ connectionPool, maxWaitTime, minBytes, maxBytes }: FetchSettings) {
  return { maxWaitTime, minBytes, maxBytes, ...(connectionPool ? { connectionPool } : {}) };
}

function requestOf(metadata: ClusterMetadata, wants: FetchWant[], settings: FetchSettings) {
  const byTopic = new Map<string, FetchWant[]>();
  for (const want of wants) byTopic.set(want.cursor.topic, [...(byTopic.get(want.cursor.topic) ?? []), want]);
  return [...byTopic].map(([topic, topicWants]) => ({
    topicId: metadata.topics.get(topic)!.id,
    partitions: topicWants.map(({ cursor, offset }) => ({
      partition: cursor.partition,
      fetchOffset: offset,
      partitionMaxBytes: settings.maxBytesPerPartition,
      // -1: no leader-epoch fencing, the broker serves whatever its current epoch is.
      currentLeaderEpoch: -1,
      lastFetchedEpoch: -1,
    })),
  }));
}

/** Each response partition we asked for (a fetch session can bring others along: ignored). */
function* partitionsOf(metadata: ClusterMetadata, wants: FetchWant[], response: FetchResponse) {
  const topicById = new Map([...metadata.topics].map(([name, t]) => [t.id, name]));
  const wanted = new Map(wants.map((w) => [keyOf(w.cursor.topic, w.cursor.partition), w]));
  for (const topicResponse of response.responses) {
    const topic = topicById.get(topicResponse.topicId) ?? topicResponse.topicId;
    for (const partition of topicResponse.partitions) {
      const want = wanted.get(keyOf(topic, partition.partitionIndex));
      if (want) yield { want, partition };
    }
  }
}

function fetchedOf(metadata: ClusterMetadata, wants: FetchWant[], response: FetchResponse): Fetched[] {
  const fetched: Fetched[] = [];
  for (const { want, partition } of partitionsOf(metadata, wants, response)) {
    const { messages, end } = messagesOf(partition.records, want.offset);
    fetched.push({ want, messages, end, highWatermark: partition.highWatermark });
  }
  return fetched;
}

/** The partitions an OFFSET_OUT_OF_RANGE failure names, with where their log now starts and ends. */
function outOfRangeOf(metadata: ClusterMetadata, wants: FetchWant[], error: unknown): OutOfRange[] {
  const failure = findErrorBy(error as Error, 'apiId', 'OFFSET_OUT_OF_RANGE');
  const response = findErrorBy(error as Error, 'code', 'PLT_KFK_RESPONSE')?.['response'] as FetchResponse | undefined;
  if (!failure || !response) return [];
  const outOfRange: OutOfRange[] = [];
  for (const { want, partition } of partitionsOf(metadata, wants, response)) {
    if (partition.errorCode === protocolErrors['OFFSET_OUT_OF_RANGE']?.code)
      outOfRange.push({ want, logStartOffset: partition.logStartOffset, highWatermark: partition.highWatermark });
  }
  return outOfRange;
}
