// The mesh's Kafka port: the one client-neutral surface every app, lib and tool uses. Adapters
// (kafkajs, @platformatic/kafka) implement it; nothing else imports a Kafka client. Shapes follow
// what the mesh needs — group consumption in ordered per-partition batches, pause/resume, manual
// commits, offsets by timestamp, idempotent batched produce with headers, topic/group admin —
// and keep kafkajs' field names, which the mesh's code and tests were written against.

/** A header value as read: bytes (a client may hand over strings for values it wrote as strings). */
export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type MessageHeaders = Record<string, HeaderValue>;

/** A consumed record. Offsets and timestamps are decimal strings (64-bit). */
export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: MessageHeaders;
  offset: string;
  /** Epoch milliseconds, as a string. */
  timestamp: string;
  attributes?: number;
}

/** A record to produce; with no partition, the key's murmur2 hash picks it (Java-compatible). */
export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  /** A repeated header is an array (each value written under the name, in order), as a consumed record gives it. */
  headers?: MessageHeaders;
  /** Epoch milliseconds, as a string; default: now. */
  timestamp?: string;
}

export type Acks = -1 | 0 | 1;

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  acks?: Acks;
  timeout?: number;
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
}

export interface ProducerOptions {
  /** Exactly-once per partition from this producer (acks=all, sequence numbers). */
  idempotent?: boolean;
  maxInFlightRequests?: number;
}

export interface Producer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  /** Several topics in one request per broker. */
  sendBatch(batch: { topicMessages: { topic: string; messages: Message[] }[]; acks?: Acks; timeout?: number }): Promise<RecordMetadata[]>;
}

export interface ConsumerOptions {
  groupId: string;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  /** How long a fetch waits for minBytes (ms). */
  maxWaitTimeInMs?: number;
  minBytes?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
}

export interface EachBatchPayload {
  batch: Batch;
  /** Marks an offset handled: the consumer fetches past it (commits stay manual). */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** False once the consumer stops or restarts. */
  isRunning(): boolean;
  /** True when a rebalance took the partition away or a seek moved it. */
  isStale(): boolean;
  /** Pauses this batch's partition; returns the function that resumes it. */
  pause(): () => void;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

export interface RunOptions {
  /** Default true; the mesh runs with false and commits what it handled. */
  autoCommit?: boolean;
  /** Default true: a batch returning resolves all its offsets. */
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch?(payload: EachBatchPayload): Promise<void>;
  eachMessage?(payload: EachMessagePayload): Promise<void>;
}

export interface TopicPartitions {
  topic: string;
  partitions?: number[];
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface Consumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void>;
  run(options: RunOptions): Promise<void>;
  stop(): Promise<void>;
  pause(topics: TopicPartitions[]): void;
  resume(topics: TopicPartitions[]): void;
  /** Fetching of the partition continues from the offset. */
  seek(position: TopicPartitionOffset): void;
  /** Commits the next offset to read, per partition. */
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Called each time the consumer has joined its group (after every rebalance). */
  onGroupJoin(listener: () => void): void;
  /** Called when the consumer fails; restart says whether it starts again by itself. */
  onCrash(listener: (crash: { error: Error; restart: boolean }) => void): void;
}

export interface ConfigEntry {
  name: string;
  value: string;
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  /** -1: the broker's default. */
  replicationFactor?: number;
  configEntries?: ConfigEntry[];
}

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export interface PartitionOffsets {
  partition: number;
  offset: string;
  high: string;
  low: string;
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocol: string;
  members: GroupMember[];
}

export interface ClusterDescription {
  clusterId: string;
  controller: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
}

export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics that do not exist; true when it created any. */
  createTopics(request: { topics: TopicSpec[]; waitForLeaders?: boolean; timeout?: number }): Promise<boolean>;
  deleteTopics(request: { topics: string[]; timeout?: number }): Promise<void>;
  fetchTopicMetadata(request?: { topics: string[] }): Promise<{ topics: TopicMetadata[] }>;
  /** The config values of topics, by topic name then config name. */
  describeTopicConfigs(topics: string[], names?: string[]): Promise<Map<string, Record<string, string>>>;
  /** Low and high watermarks of each partition (offset = high). */
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition, the earliest offset whose timestamp is at or after the instant; the high watermark when none. */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<{ partition: number; offset: string }[]>;
  /** Committed offsets of a group ('-1' where it has none). */
  fetchOffsets(request: { groupId: string; topics: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  /** Sets a group's committed offsets (the group must have no members). */
  setOffsets(request: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): Promise<void>;
  /** Sets a group's offsets to the earliest or latest of a topic (the group must have no members). */
  resetOffsets(request: { groupId: string; topic: string; earliest?: boolean }): Promise<void>;
  listGroups(): Promise<{ groups: GroupOverview[] }>;
  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }>;
  /** Rejects when any group could not be deleted (one with members, say): a KafkaGroupsNotDeletedError whose `groups` are their ids. */
  deleteGroups(groupIds: string[]): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  /** Committed offsets of a group on every topic it has committed offsets on (fetchOffsets without topics). */
  fetchGroupOffsets(groupId: string): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

/** Where a client's own log lines go (pino-compatible). */
export interface KafkaLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface KafkaClient {
  /** Which adapter this is. */
  readonly kind: KafkaClientKind;
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
  admin(): Admin;
}

export const KAFKA_CLIENT_KINDS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientKind = (typeof KAFKA_CLIENT_KINDS)[number];

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** Default: nothing is logged. */
  logger?: KafkaLogger;
  /** Connection retries before an operation fails (default 8). */
  retries?: number;
  /** First retry wait (ms, default 200), doubling. */
  initialRetryTimeMs?: number;
  /** How long to wait for a broker connection (ms; default: the client's own, 1000 for kafkajs). */
  connectionTimeoutMs?: number;
  /** How long to wait for a broker's answer to a request (ms; default: the client's own, 30000 for kafkajs). */
  requestTimeoutMs?: number;
}
