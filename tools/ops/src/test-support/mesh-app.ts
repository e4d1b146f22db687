// For the ops int specs: one real mesh app — apps/sink-postgres/src/main.ts as its own process,
// as `npm start` runs it — on a topic, consumer group, PostgreSQL schema and control topic of the
// run's own; real SinkRecords to feed it; stop() removes all of it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { registerSchemas, SchemaCatalog, createSchemaRegistry } from '@ingest-mesh/avro';
import { SinkRecordFactory } from '@ingest-mesh/sink-kit/testing';
import { freePort, waitFor } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type Producer } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import { REPO_ROOT } from '../tools.js';
import type { Child, Children } from './processes.js';

export class MeshAppRun {
  readonly run = randomBytes(4).toString('hex');
  readonly topic: string;
  readonly controlTopic: string;
  readonly group: string;
  readonly schema: string;
  readonly secrets = { MESH_ADMIN_TOKEN: randomBytes(16).toString('hex'), MESH_CONTROL_SECRET: randomBytes(24).toString('hex') };
  port = 0;
  admin!: Admin;
  private producer!: Producer;
  private db!: pg.Client;
  private records!: SinkRecordFactory;
  private revision = 0;
  app: Child | undefined;

  constructor(
    private readonly children: Children,
    label: string,
  ) {
    this.topic = `test.sink.${label}.${this.run}`;
    this.controlTopic = `test.mesh.control.${label}.${this.run}`;
    this.group = `mesh.test-${label}-${this.run}`;
    this.schema = `${label.replaceAll('-', '_')}_${this.run}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    const kafka = createKafkaClient({ clientId: `ops-int-${this.run}`, brokers: process.env.KAFKA_BROKERS!.split(',') });
    this.admin = kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({ waitForLeaders: true, topics: [{ topic: this.topic, numPartitions: 3, replicationFactor: -1 }] });
    this.producer = kafka.producer();
    await this.producer.connect();
    const registry = createSchemaRegistry({ host: process.env.SCHEMA_REGISTRY_URL! });
    await registerSchemas(registry);
    this.records = new SinkRecordFactory(new SchemaCatalog({ registry }), `acme-${this.run}`);
    this.db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await this.db.connect();
    // Empty: the sink's own migrations create its tables in it on start.
    await this.db.query(`CREATE SCHEMA ${this.schema}`);
    this.port = await freePort();
    this.app = this.children.node('sink-postgres', path.join(REPO_ROOT, 'apps/sink-postgres/src/main.ts'), {
      ...process.env,
      ...this.secrets,
      SINK_TOPIC: this.topic,
      SINK_GROUP_ID: this.group,
      SINK_PG_SCHEMA: this.schema,
      MESH_CONTROL_TOPIC: this.controlTopic,
      MESH_HTTP_HOST: '127.0.0.1',
      MESH_HTTP_PORT: String(this.port),
      MESH_LAG_INTERVAL_MS: '1000',
      MESH_FETCH_MAX_WAIT_MS: '100',
      MESH_SHUTDOWN_DEADLINE_MS: '5000',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    });
  }

  async waitReady(): Promise<void> {
    await waitFor(
      'sink-postgres ready',
      async () => ((await fetch(`${this.url}/health/ready`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.children.describe()}`);
    });
  }

  /** n customer records, each key at a new revision. */
  async produce(n: number): Promise<void> {
    this.revision += 1;
    const messages = await Promise.all(
      Array.from({ length: n }, async (_, i) => ({ key: this.records.key('customer', `c${i}`), value: await this.records.customer(`c${i}`, this.revision) })),
    );
    await this.producer.send({ topic: this.topic, acks: -1, messages });
  }

  async committedToEnd(): Promise<boolean> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const [committed] = await this.admin.fetchOffsets({ groupId: this.group, topics: [this.topic] });
    return ends.every((e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
  }

  async stop(): Promise<void> {
    if (this.app) await this.children.stop(this.app);
    await this.producer?.disconnect().catch(() => undefined);
    await this.db?.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`).catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const mine = [this.topic, this.controlTopic].filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine }).catch(() => undefined);
    const groups = (await this.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(this.group));
    if (groups.length > 0) await this.admin.deleteGroups(groups).catch(() => undefined);
    await this.admin.disconnect();
  }
}
