// For *.int.spec.ts only: one run of sink-postgres on the real stack with everything unique to it
// (schema, sink topic, app name / group, DLQ, control topic): real Avro SinkRecords as
// ingest-router writes them, the sink in-process (startSinkApp) or as a child process (main.ts),
// the run's dead letters, committed offsets and rows; stop() removes it all.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { deleteGroupsByPrefix, keepOutput, stackEndpoints, stopChild } from '@ingest-mesh/testing';
import { registerSchemas, SchemaCatalog } from '@ingest-mesh/avro';
import { parseEnv } from '@ingest-mesh/env-config';
import { DLQ_HEADERS, headerString, runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import { startSinkApp, type SinkApp, type SinkAppOptions } from '@ingest-mesh/sink-kit';
import { SinkRecordFactory, type CustomerRecordOptions } from '@ingest-mesh/sink-kit/testing';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { PostgresSink } from '../postgres-sink.js';
import { APP_DIR, createTestSchema, DATABASE_URL, demoTables, migrateDemo, MIGRATIONS_DIR, type TestSchema } from './pg-harness.js';

const endpoints = stackEndpoints();
export const BROKERS = endpoints.KAFKA_BROKERS.split(',').map((b) => b.trim());
export const REGISTRY_URL = endpoints.SCHEMA_REGISTRY_URL;
export const REPO_ROOT = path.resolve(APP_DIR, '../..');
const PARTITIONS = 3;

export interface SinkPgRunOptions {
  label: string;
  /** The sink topic; default test.sink.pg-<label>.<run> (created with 3 partitions). */
  topic?: string;
  /** DLQ topics to read (default dlq.<app>). */
  dlqTopics?: string[];
}

export class SinkPgRun {
  readonly run = randomUUID().replaceAll('-', '').slice(0, 10);
  readonly app: string;
  readonly topic: string;
  readonly controlTopic: string;
  readonly tenant: string;
  readonly kafka = new Kafka({ clientId: `sink-pg-int-${this.run}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
  readonly registry = new SchemaRegistry({ host: REGISTRY_URL });
  readonly catalog = new SchemaCatalog({ registry: this.registry });
  readonly records: SinkRecordFactory;
  readonly letters: KafkaMessage[] = [];
  readonly secrets = { MESH_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`, MESH_CONTROL_SECRET: `control-${randomBytes(24).toString('hex')}` };
  db!: TestSchema;
  admin!: Admin;
  producer!: Producer;
  private dlqConsumer: Consumer | undefined;
  private readonly apps: SinkApp[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly topics = new Set<string>();
  private readonly groupPrefixes: string[] = [];

  constructor(private readonly opts: SinkPgRunOptions) {
    this.app = `test-sink-pg-${opts.label}-${this.run}`;
    this.topic = opts.topic ?? `test.sink.pg-${opts.label}.${this.run}`;
    this.controlTopic = `test.mesh.control.${this.run}`;
    this.tenant = `acme-${this.run}`;
    this.records = new SinkRecordFactory(this.catalog, this.tenant);
    this.groupPrefixes.push(`mesh.${this.app}`, `sink-pg-int-${this.run}`);
  }

  get dlqTopic(): string {
    return `dlq.${this.app}`;
  }

  get schema(): string {
    return this.db.schema;
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await registerSchemas(this.registry);
    this.db = await createTestSchema(this.opts.label.replaceAll('-', '_'));
    // The tables exist before the sink starts (its own migrations then find them applied).
    await migrateDemo(this.db.pool, this.db.schema);
    const dlqTopics = this.opts.dlqTopics ?? [this.dlqTopic];
    await this.admin.createTopics({
      topics: [this.topic, ...dlqTopics].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: -1 })),
      waitForLeaders: true,
    });
    for (const t of [this.topic, this.controlTopic, ...dlqTopics.filter((t) => t !== 'dlq.sink-postgres')]) this.topics.add(t);
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.dlqConsumer = this.kafka.consumer({ groupId: `sink-pg-int-${this.run}-dlq`, maxWaitTimeInMs: 200 });
    await this.dlqConsumer.connect();
    await this.dlqConsumer.subscribe({ topics: dlqTopics, fromBeginning: true });
    await this.dlqConsumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (headerString(message.headers, DLQ_HEADERS.originTopic) === this.topic) this.letters.push(message);
      },
    });
  }

  /** Runtime variables of the run's sink (in-process or child). */
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
      MESH_SHUTDOWN_DEADLINE_MS: '5000',
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  /** The sink in this process, PostgresSink on the run's schema (or another server). */
  async startInProcess(opts: { databaseUrl?: string; circuit?: SinkAppOptions['circuit']; env?: Record<string, string> } = {}): Promise<SinkApp> {
    const sink = new PostgresSink({
      connectionString: opts.databaseUrl ?? DATABASE_URL,
      tables: await demoTables(),
      schema: this.schema,
      migrations: MIGRATIONS_DIR,
      connectTimeoutMs: 2_000,
      onPoolError: () => undefined,
    });
    const app = await startSinkApp({
      app: this.app,
      sink,
      topics: [this.topic],
      env: parseEnv(runtimeEnvShape, { ...process.env, ...this.runtimeVars(opts.env) }),
      ...(opts.circuit ? { circuit: opts.circuit } : {}),
    });
    this.apps.push(app);
    return app;
  }

  /** apps/sink-postgres/src/main.ts as its own process, on the run's topic, group and schema. */
  spawnSink(extra: Record<string, string> = {}): ChildProcess & { output: string[] } {
    const child = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(APP_DIR, 'src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...this.runtimeVars(extra),
        DATABASE_URL,
        SINK_PG_SCHEMA: this.schema,
        SINK_TOPIC: this.topic,
        SINK_GROUP_ID: `mesh.${this.app}`,
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as ChildProcess & { output: string[] };
    return this.track(child);
  }

  /** Keeps a child's output (for failure messages) and kills it in stop(). */
  track<C extends ChildProcess>(child: C): C & { output: string[] } {
    const tracked = child as C & { output: string[] };
    tracked.output = keepOutput(child, 200);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return tracked;
  }

  addTopics(...topics: string[]): void {
    for (const t of topics) this.topics.add(t);
  }

  addGroupPrefix(prefix: string): void {
    this.groupPrefixes.push(prefix);
  }

  key(entityType: string, id: string): string {
    return this.records.key(entityType, id);
  }

  /** A real SinkRecord for a customer: the entity framed with the registry's latest entity.customer. */
  customerRecord(id: string, revision: number, opts: CustomerRecordOptions = {}): Promise<Buffer> {
    return this.records.customer(id, revision, opts);
  }

  async send(messages: { key: string; value: Buffer }[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 500) await this.producer.send({ topic: this.topic, acks: -1, messages: messages.slice(i, i + 500) });
  }

  /** True once the group's committed offsets are at the end of every partition of the topic (an empty partition has nothing to commit). */
  async committedToEnd(groupId = `mesh.${this.app}`, topic = this.topic): Promise<boolean> {
    const ends = await this.admin.fetchTopicOffsets(topic);
    const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((end) => end.high === '0' || committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
  }

  async stop(): Promise<void> {
    // Children get a graceful stop first (they leave their groups), then SIGKILL.
    await Promise.all([...this.children].map((child) => stopChild(child, { graceMs: 10_000 })));
    await this.dlqConsumer?.disconnect().catch(() => undefined);
    for (const app of this.apps) await app.stop('test finished').catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const mine = [...this.topics].filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine, timeout: 30_000 }).catch(() => undefined);
    await deleteGroupsByPrefix(this.admin, this.groupPrefixes);
    await this.admin.disconnect();
  }
}
