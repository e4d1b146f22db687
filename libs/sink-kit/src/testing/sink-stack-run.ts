// The Kafka and registry half of every sink's integration harness (@ingest-mesh/sink-kit/testing):
// names unique to one run (source topic, app and group, DLQ, control topic, tenant), the real
// mesh schemas registered, real SinkRecords produced the way ingest-router writes them, the run's
// dead letters and committed offsets; stop() removes it all. SinkTestRun adds a Sink in-process;
// a sink's own harness (sink-postgres' SinkPgRun) adds its store and child processes.
import { randomBytes, randomUUID } from 'node:crypto';
import { registerSchemas, SchemaCatalog, createSchemaRegistry } from '@ingest-mesh/avro';
import { brokerList, endpointsFromEnv, parseEnv } from '@ingest-mesh/env-config';
import { DLQ_HEADERS, headerString, runtimeEnvShape, type RuntimeEnv } from '@ingest-mesh/kafka-runtime';
import { createKafkaClient, type Admin, type Consumer, type KafkaMessage, type Producer } from '@ingest-mesh/kafka-client';
import { SinkRecordFactory } from './sink-records.js';

const endpoints = endpointsFromEnv();
const BROKERS = brokerList(endpoints.KAFKA_BROKERS);
const REGISTRY_URL = endpoints.SCHEMA_REGISTRY_URL;
const SEND_CHUNK = 500;

export interface Produced {
  key: string;
  partition: number;
  offset: string;
}

export interface SinkStackRunOptions {
  /** Names the run's app (test-sink-<label>-<run>) and default topic (test.sink.<label>.<run>). */
  label: string;
  /** The sink topic; default test.sink.<label>.<run>. Created when missing. */
  topic?: string;
  /** Partitions of the topics the run creates (default 2). */
  partitions?: number;
  /** DLQ topics to read (default dlq.<app>); only letters of the run's topic are kept. */
  dlqTopics?: string[];
  /** Runtime variables over the run's defaults. */
  env?: Record<string, string>;
}

export class SinkStackRun {
  readonly run = randomUUID().replaceAll('-', '').slice(0, 10);
  readonly app: string;
  readonly topic: string;
  readonly controlTopic: string;
  readonly dlqTopic: string;
  readonly tenant: string;
  readonly kafka = createKafkaClient({ clientId: `sink-int-${this.run}`, brokers: BROKERS });
  readonly registry = createSchemaRegistry({ host: REGISTRY_URL });
  readonly catalog = new SchemaCatalog({ registry: this.registry });
  readonly records: SinkRecordFactory;
  /** The dead letters of the run's topic, in the order read. */
  readonly letters: KafkaMessage[] = [];
  /** The run's admin token and control secret (also for processes started next to the sink, e.g. a router). */
  readonly secrets = { MESH_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`, MESH_CONTROL_SECRET: `control-${randomBytes(24).toString('hex')}` };
  admin!: Admin;
  producer!: Producer;
  protected readonly partitions: number;
  private dlqConsumer: Consumer | undefined;
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();

  constructor(private readonly stackOpts: SinkStackRunOptions) {
    this.app = `test-sink-${stackOpts.label}-${this.run}`;
    this.topic = stackOpts.topic ?? `test.sink.${stackOpts.label}.${this.run}`;
    this.controlTopic = `test.mesh.control.${this.run}`;
    this.dlqTopic = `dlq.${this.app}`;
    this.tenant = `acme-${this.run}`;
    this.partitions = stackOpts.partitions ?? 2;
    this.records = new SinkRecordFactory(this.catalog, this.tenant);
  }

  /** The runtime variables of the run's sink: its control topic, secrets, short retries. */
  runtimeVars(extra: Record<string, string> = {}): Record<string, string> {
    return {
      MESH_CONTROL_TOPIC: this.controlTopic,
      MESH_HTTP_HOST: '127.0.0.1',
      MESH_HTTP_PORT: '0',
      ...this.secrets,
      MESH_RETRY_BASE_MS: '20',
      MESH_RETRY_CAP_MS: '300',
      MESH_RETRY_MAX_ATTEMPTS: '3',
      MESH_FETCH_MAX_WAIT_MS: '100',
      LOG_LEVEL: 'warn',
      ...this.stackOpts.env,
      ...extra,
    };
  }

  /** runtimeVars over the process environment, validated as an app reads it. */
  runtimeEnv(extra: Record<string, string> = {}): RuntimeEnv {
    return parseEnv(runtimeEnvShape, { ...process.env, ...this.runtimeVars(extra) });
  }

  /** Registers the mesh schemas, creates the topic and the DLQ topics, and starts reading the DLQ. */
  async startStack(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // The real mesh.SinkRecord and entity subjects (idempotent), as tools/schemas/register.ts does.
    await registerSchemas(this.registry);
    const dlqTopics = this.stackOpts.dlqTopics ?? [this.dlqTopic];
    // The source topic exists before the app (as ingest-router creates it).
    await this.admin.createTopics({
      topics: [this.topic, ...dlqTopics].map((topic) => ({ topic, numPartitions: this.partitions, replicationFactor: -1 })),
      waitForLeaders: true,
    });
    // A shared DLQ (dlq.sink-postgres) outlives the run: only the run's own topics are removed.
    this.cleanUp({ topics: [this.topic, this.controlTopic, ...dlqTopics.filter((t) => t.endsWith(this.run))], groups: [`mesh.${this.app}`] });
    this.producer = this.kafka.producer();
    await this.producer.connect();
    const tailGroup = `sink-int-${this.run}-dlq`;
    this.cleanUp({ groups: [tailGroup] });
    this.dlqConsumer = this.kafka.consumer({ groupId: tailGroup, maxWaitTimeInMs: 200 });
    await this.dlqConsumer.connect();
    await this.dlqConsumer.subscribe({ topics: dlqTopics, fromBeginning: true });
    await this.dlqConsumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (headerString(message.headers, DLQ_HEADERS.originTopic) === this.topic) this.letters.push(message);
      },
    });
  }

  /** Produces in order (one request per 500), one partition per key; returns where each landed. */
  async send(messages: { key: string; value: Buffer | null }[]): Promise<Produced[]> {
    const partitionOf = (key: string) => [...key].reduce((sum, c) => sum + c.charCodeAt(0), 0) % this.partitions;
    const produced: Produced[] = [];
    for (let i = 0; i < messages.length; i += SEND_CHUNK) {
      const chunk = messages.slice(i, i + SEND_CHUNK);
      const metadata = await this.producer.send({ topic: this.topic, acks: -1, messages: chunk.map((m) => ({ ...m, partition: partitionOf(m.key) })) });
      const next = new Map(metadata.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')]));
      for (const m of chunk) {
        const partition = partitionOf(m.key);
        const offset = next.get(partition)!;
        next.set(partition, offset + 1n);
        produced.push({ key: m.key, partition, offset: offset.toString() });
      }
    }
    return produced;
  }

  /** The dead letters of one produced record. */
  letterFor(p: Produced): KafkaMessage[] {
    return this.letters.filter(
      (m) => headerString(m.headers, DLQ_HEADERS.originPartition) === String(p.partition) && headerString(m.headers, DLQ_HEADERS.originOffset) === p.offset,
    );
  }

  /** True once the group's committed offsets are at the end of every partition of the topic (an empty partition has nothing to commit). */
  async committedToEnd(groupId = `mesh.${this.app}`, topic = this.topic): Promise<boolean> {
    const ends = await this.admin.fetchTopicOffsets(topic);
    const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((end) => end.high === '0' || committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
  }

  /** Topics and consumer groups the test made next to the sink, removed by stop(). */
  cleanUp(more: { topics?: string[]; groups?: string[] }): void {
    for (const t of more.topics ?? []) this.topics.add(t);
    for (const g of more.groups ?? []) this.groups.add(g);
  }

  async stop(): Promise<void> {
    await this.dlqConsumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const mine = [...this.topics].filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine, timeout: 30_000 }).catch(() => undefined);
    await this.admin.deleteGroups([...this.groups]).catch(() => undefined);
    await this.admin.disconnect();
  }
}
