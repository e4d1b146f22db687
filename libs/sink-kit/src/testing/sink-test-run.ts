// For the *.int.spec.ts of every sink (@ingest-mesh/sink-kit/testing): one sink app in-process on
// the real stack (Kafka, registry) with the Sink under test, a unique source topic, app name, DLQ
// and control topic per run; real SinkRecords produced the way ingest-router writes them; the
// run's dead letters and committed offsets; stop() removes it all.
import { randomBytes, randomUUID } from 'node:crypto';
import { registerSchemas, SchemaCatalog } from '@ingest-mesh/avro';
import { brokerList, endpointsFromEnv, parseEnv } from '@ingest-mesh/env-config';
import { DLQ_HEADERS, headerString, runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { startSinkApp, type SinkApp, type SinkAppOptions } from '../sink-app.js';
import type { Sink } from '../sink.js';
import { SinkRecordFactory } from './sink-records.js';

const endpoints = endpointsFromEnv();
const BROKERS = brokerList(endpoints.KAFKA_BROKERS);
const REGISTRY_URL = endpoints.SCHEMA_REGISTRY_URL;
const PARTITIONS = 2;

export interface Produced {
  key: string;
  partition: number;
  offset: string;
}

export interface SinkTestRunOptions<S extends Sink> {
  label: string;
  /** The sink under test (connected by the runner, closed by stop()). */
  sink: S;
  deadLetterInfrastructureFailures?: boolean;
  circuit?: SinkAppOptions['circuit'];
  env?: Record<string, string>;
  /** The sink topic; default test.sink.<label>.<run>. Created with 2 partitions when missing. */
  topic?: string;
}

export class SinkTestRun<S extends Sink> {
  readonly run = randomUUID().replaceAll('-', '').slice(0, 10);
  readonly app: string;
  readonly topic: string;
  readonly controlTopic: string;
  readonly dlqTopic: string;
  readonly tenant: string;
  readonly sink: S;
  readonly kafka = new Kafka({ clientId: `sink-kit-int-${this.run}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
  readonly registry = new SchemaRegistry({ host: REGISTRY_URL });
  readonly catalog = new SchemaCatalog({ registry: this.registry });
  readonly records: SinkRecordFactory;
  /** Everything read from the DLQ, in order. */
  readonly letters: KafkaMessage[] = [];
  /** The run's admin token and control secret (also for processes started next to the sink, e.g. a router). */
  readonly secrets = { MESH_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`, MESH_CONTROL_SECRET: `control-${randomBytes(24).toString('hex')}` };
  admin!: Admin;
  producer!: Producer;
  sinkApp!: SinkApp;
  private dlqConsumer: Consumer | undefined;
  private readonly groups: string[] = [];
  private readonly extraTopics: string[] = [];

  constructor(private readonly opts: SinkTestRunOptions<S>) {
    this.sink = opts.sink;
    this.app = `test-sink-${opts.label}-${this.run}`;
    this.topic = opts.topic ?? `test.sink.${opts.label}.${this.run}`;
    this.controlTopic = `test.mesh.control.${this.run}`;
    this.dlqTopic = `dlq.${this.app}`;
    this.tenant = `acme-${this.run}`;
    this.records = new SinkRecordFactory(this.catalog, this.tenant);
  }

  /** The runtime variables of the run's sink: its control topic, secrets, short retries. */
  runtimeVars(): Record<string, string> {
    return {
      MESH_CONTROL_TOPIC: this.controlTopic,
      MESH_HTTP_HOST: '127.0.0.1',
      MESH_HTTP_PORT: '0',
      ...this.secrets,
      MESH_RETRY_BASE_MS: '20',
      MESH_RETRY_CAP_MS: '200',
      MESH_RETRY_MAX_ATTEMPTS: '3',
      MESH_FETCH_MAX_WAIT_MS: '100',
      LOG_LEVEL: 'warn',
      ...this.opts.env,
    };
  }

  get base(): string {
    return `http://127.0.0.1:${this.sinkApp.httpPort}`;
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // The real mesh.SinkRecord and entity.customer subjects (idempotent), as tools/schemas/register.ts does.
    await registerSchemas(this.registry);
    // The source topic exists before the app (as ingest-router creates it).
    await this.admin.createTopics({ topics: [{ topic: this.topic, numPartitions: PARTITIONS, replicationFactor: -1 }], waitForLeaders: true });
    const env = parseEnv(runtimeEnvShape, { ...process.env, ...this.runtimeVars() });
    this.sinkApp = await startSinkApp({
      app: this.app,
      sink: this.sink,
      topics: [this.topic],
      env,
      ...(this.opts.deadLetterInfrastructureFailures === undefined ? {} : { deadLetterInfrastructureFailures: this.opts.deadLetterInfrastructureFailures }),
      ...(this.opts.circuit ? { circuit: this.opts.circuit } : {}),
    });
    this.groups.push(`mesh.${this.app}`, `mesh.${this.app}.control.${this.sinkApp.instanceId}`);
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await this.producer.connect();
    const tailGroup = `sink-kit-int-dlq-${this.run}`;
    this.groups.push(tailGroup);
    this.dlqConsumer = this.kafka.consumer({ groupId: tailGroup, maxWaitTimeInMs: 200 });
    await this.dlqConsumer.connect();
    await this.dlqConsumer.subscribe({ topics: [this.dlqTopic], fromBeginning: true });
    await this.dlqConsumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        this.letters.push(message);
      },
    });
  }

  /** A real SinkRecord: the customer framed with the registry's latest entity.customer, in a mesh.SinkRecord. */
  sinkRecord(id: string, revision: number, opts: { op?: 'upsert' | 'delete'; name?: string } = {}): Promise<Buffer> {
    return this.records.customer(id, revision, { ...opts, occurredAt: Date.now() });
  }

  key(id: string): string {
    return `${this.tenant}:customer:${id}`;
  }

  /** Produces in order (one request), keyed tenant:customer:id, one partition per key; returns where each landed. */
  async send(messages: { key: string; value: Buffer | null }[]): Promise<Produced[]> {
    const partitionOf = (key: string) => [...key].reduce((sum, c) => sum + c.charCodeAt(0), 0) % PARTITIONS;
    const metadata = await this.producer.send({ topic: this.topic, acks: -1, messages: messages.map((m) => ({ ...m, partition: partitionOf(m.key) })) });
    const next = new Map(metadata.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')]));
    return messages.map((m) => {
      const partition = partitionOf(m.key);
      const offset = next.get(partition)!;
      next.set(partition, offset + 1n);
      return { key: m.key, partition, offset: offset.toString() };
    });
  }

  async detailed(): Promise<
    Record<string, unknown> & { circuits: { name: string; state: string }[]; backpressure: { state: string }; sink: Record<string, unknown> }
  > {
    const res = await fetch(`${this.base}/health/detailed`);
    return (await res.json()) as never;
  }

  letterFor(p: Produced): KafkaMessage[] {
    return this.letters.filter(
      (m) =>
        headerString(m.headers, DLQ_HEADERS.originTopic) === this.topic &&
        headerString(m.headers, DLQ_HEADERS.originPartition) === String(p.partition) &&
        headerString(m.headers, DLQ_HEADERS.originOffset) === p.offset,
    );
  }

  /** True once the sink's group has committed the end of every partition of the topic. */
  async committedToEnd(): Promise<boolean> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const [committed] = await this.admin.fetchOffsets({ groupId: `mesh.${this.app}`, topics: [this.topic] });
    return ends.every((end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
  }

  /** Topics and consumer groups of processes the test ran next to the sink, removed by stop(). */
  cleanUp(more: { topics?: string[]; groups?: string[] }): void {
    this.extraTopics.push(...(more.topics ?? []));
    this.groups.push(...(more.groups ?? []));
  }

  async stop(): Promise<void> {
    await this.dlqConsumer?.disconnect().catch(() => undefined);
    await this.sinkApp?.stop('test finished');
    await this.producer?.disconnect();
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const mine = [this.topic, this.dlqTopic, this.controlTopic, ...this.extraTopics].filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine, timeout: 30_000 });
    await this.admin.deleteGroups(this.groups).catch(() => undefined);
    await this.admin.disconnect();
  }
}
