// What the port's contract suite needs around one adapter on the real broker: unique topic and
// group names per run, clients that are connected on demand and all closed at the end, and the
// topics and groups deleted afterwards.
// Not @ingest-mesh/testing: the test harness itself runs on this port (a cycle), so the stack's
// endpoints come from env-config, which is what the harness reads them from too.
import { brokerList, endpointsFromEnv } from '@ingest-mesh/env-config';
import { vi } from 'vitest';
import { createKafkaClient } from '../create.js';
import type {
  Admin,
  Consumer,
  ConsumerOptions,
  ConfigEntry,
  KafkaClient,
  KafkaClientKind,
  KafkaMessage,
  Producer,
  ProducerOptions,
  RunOptions,
} from '../port.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `done` holds (vitest's own polling: this lib cannot use @ingest-mesh/testing's waitFor). */
export function until(what: string, done: () => boolean | Promise<boolean>, timeout = 30_000, interval = 200): Promise<void> {
  return vi.waitFor(
    async () => {
      if (!(await done())) throw new Error(`still waiting for ${what}`);
    },
    { timeout, interval },
  );
}

/** A record as a consumer saw it. */
export interface Seen {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface ConsumerSpec {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  options?: Partial<ConsumerOptions>;
  run: RunOptions;
  /** Called after connect and subscribe, before run (onGroupJoin listeners go here). */
  before?(consumer: Consumer): void;
}

export class PortHarness {
  readonly client: KafkaClient;
  readonly admin: Admin;
  private readonly topics: string[] = [];
  private readonly groups: string[] = [];
  private consumers: Consumer[] = [];
  private readonly producers: Producer[] = [];
  private readonly clients = new Map<KafkaClientKind, KafkaClient>();

  constructor(
    readonly kind: KafkaClientKind,
    private readonly run: string,
  ) {
    this.client = this.clientOf(kind);
    this.admin = this.client.admin();
  }

  /** A client of either adapter, on the same broker (cross-adapter checks). */
  clientOf(kind: KafkaClientKind): KafkaClient {
    let client = this.clients.get(kind);
    if (!client) {
      client = createKafkaClient({ kind, clientId: `port-int-${kind}-${this.run}`, brokers: brokerList(endpointsFromEnv().KAFKA_BROKERS), retries: 5 });
      this.clients.set(kind, client);
    }
    return client;
  }

  name(label: string): string {
    return `test.port.${this.kind}.${label}.${this.run}`;
  }

  group(label: string): string {
    const id = `port-int-${this.kind}-${label}-${this.run}`;
    this.groups.push(id);
    return id;
  }

  async topic(label: string, numPartitions = 1, configEntries: ConfigEntry[] = []): Promise<string> {
    const topic = this.name(label);
    this.topics.push(topic);
    await this.admin.createTopics({ topics: [{ topic, numPartitions, configEntries }], waitForLeaders: true });
    return topic;
  }

  /** Remembers a topic a test creates itself, for the clean-up. */
  track(topic: string): void {
    this.topics.push(topic);
  }

  async producer(kind: KafkaClientKind = this.kind, options: ProducerOptions = { idempotent: true }): Promise<Producer> {
    const producer = this.clientOf(kind).producer(options);
    await producer.connect();
    this.producers.push(producer);
    return producer;
  }

  async consumer(spec: ConsumerSpec, kind: KafkaClientKind = this.kind): Promise<Consumer> {
    // A short linger: idle fetches come back quickly, so pauses, seeks and stops take effect fast.
    const consumer = this.clientOf(kind).consumer({ groupId: spec.groupId, maxWaitTimeInMs: 200, ...spec.options });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: spec.topics, fromBeginning: spec.fromBeginning ?? true });
    spec.before?.(consumer);
    await consumer.run(spec.run);
    return consumer;
  }

  /** Runs a consumer that only collects what it reads (eachMessage, commits on). */
  async collector(
    groupId: string,
    topics: string[],
    kind: KafkaClientKind = this.kind,
    before?: (c: Consumer) => void,
  ): Promise<{ consumer: Consumer; seen: Seen[] }> {
    const seen: Seen[] = [];
    const consumer = await this.consumer(
      { groupId, topics, before, run: { eachMessage: async ({ topic, partition, message }) => void seen.push({ topic, partition, message }) } },
      kind,
    );
    return { consumer, seen };
  }

  async disconnectConsumers(): Promise<void> {
    const consumers = this.consumers;
    this.consumers = [];
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  }

  async close(): Promise<void> {
    await this.disconnectConsumers();
    await Promise.all(this.producers.map((p) => p.disconnect().catch(() => undefined)));
    if (this.topics.length > 0) await this.admin.deleteTopics({ topics: [...new Set(this.topics)] }).catch(() => undefined);
    if (this.groups.length > 0) await this.admin.deleteGroups([...new Set(this.groups)]).catch(() => undefined);
    await this.admin.disconnect();
  }
}
