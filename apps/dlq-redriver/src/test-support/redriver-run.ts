// For *.int.spec.ts only: one run of the dlq-redriver on the real stack with everything unique to
// it (store schema, control and events topics, DLQ and origin topics, groups, tenants), the
// redriver in-process (startRedriver), dlqtriage as a child process, and stop() removing it all.
import { createSchemaRegistry } from '@ingest-mesh/avro';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { stackEndpoints, stopChild } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type Consumer, type KafkaMessage, type Producer } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import { DlqPublisher, type MeshApp } from '@ingest-mesh/kafka-runtime';
import { classify, ConnectionError, type MeshError } from '@ingest-mesh/reason-codes';
import { decodeMeshEvent, type MeshEvent } from '@ingest-mesh/telemetry';
import { loadRedriverEnv } from '../config.js';
import { startRedriver } from '../redriver-app.js';

const endpoints = stackEndpoints();
export const BROKERS = endpoints.KAFKA_BROKERS.split(',').map((b) => b.trim());
export const REGISTRY_URL = endpoints.SCHEMA_REGISTRY_URL;
export const DATABASE_URL = endpoints.DATABASE_URL;
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class RedriverRun {
  readonly run = randomUUID().replaceAll('-', '').slice(0, 10);
  readonly schema = `test_dlq_${this.run}`;
  readonly controlTopic = `test.mesh.control.${this.run}`;
  readonly eventsTopic = `test.mesh.events.${this.run}`;
  readonly dlqTopic = `dlq.test-dlq-${this.run}`;
  readonly originTopic = `test.dlq-origin.${this.run}`;
  readonly group = `test-dlq-${this.run}`;
  readonly tenantA = `acme-${this.run}`;
  readonly tenantB = `globex-${this.run}`;
  readonly secrets = { MESH_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`, MESH_CONTROL_SECRET: `control-${randomBytes(24).toString('hex')}` };
  readonly kafka = createKafkaClient({ clientId: `dlq-int-${this.run}`, brokers: BROKERS });
  readonly registry = createSchemaRegistry({ host: REGISTRY_URL });
  readonly pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
  readonly events: MeshEvent[] = [];
  readonly origin: KafkaMessage[] = [];
  admin!: Admin;
  producer!: Producer;
  private readonly consumers: Consumer[] = [];
  private readonly apps: MeshApp[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly topics = new Set<string>();
  private readonly groupPrefixes: string[] = [this.group, `dlq-int-${this.run}`];

  constructor(extraTopics: string[] = []) {
    for (const t of [this.controlTopic, this.eventsTopic, this.dlqTopic, this.originTopic, ...extraTopics]) this.topics.add(t);
  }

  async start(): Promise<void> {
    this.pool.on('error', () => undefined);
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({ topics: [...this.topics].map((topic) => ({ topic, numPartitions: 3, replicationFactor: -1 })), waitForLeaders: true });
    this.producer = this.kafka.producer();
    await this.producer.connect();
    await this.follow(this.eventsTopic, async (m) => {
      if (m.value) this.events.push(await decodeMeshEvent(this.registry, m.value));
    });
    await this.follow(this.originTopic, async (m) => {
      this.origin.push(m);
    });
  }

  /** Reads a topic from the beginning into a callback (a group of the run's own). */
  async follow(topic: string, each: (m: KafkaMessage) => Promise<void>): Promise<void> {
    const c = this.kafka.consumer({ groupId: `dlq-int-${this.run}-${topic}`, maxWaitTimeInMs: 100 });
    this.consumers.push(c);
    await c.connect();
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => each(message) });
  }

  vars(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...this.secrets,
      DATABASE_URL,
      KAFKA_BROKERS: BROKERS.join(','),
      SCHEMA_REGISTRY_URL: REGISTRY_URL,
      DLQ_STORE_SCHEMA: this.schema,
      MESH_CONTROL_TOPIC: this.controlTopic,
      MESH_EVENTS_TOPIC: this.eventsTopic,
      MESH_HTTP_HOST: '127.0.0.1',
      MESH_HTTP_PORT: '0',
      MESH_FETCH_MAX_WAIT_MS: '100',
      MESH_SHUTDOWN_DEADLINE_MS: '10000',
      DLQ_AUTO_REDRIVE: 'false',
      DLQ_SCHEDULER_INTERVAL_MS: '300',
      DLQ_JOB_POLL_MS: '100',
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  /** A redriver instance in this process, on `topics` (default: the run's DLQ topic). */
  async startRedriver(extra: Record<string, string> = {}, topics = [this.dlqTopic]): Promise<MeshApp> {
    const env = loadRedriverEnv({ ...process.env, ...this.vars(extra) });
    const app = await startRedriver({ env, topics, groupId: this.group });
    this.apps.push(app);
    return app;
  }

  /** dlqtriage as a child process: its exit code and output. */
  cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const main = path.join(REPO_ROOT, 'tools/dlqtriage/src/main.ts');
    const child = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', main, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.vars(), MESH_OPERATOR: 'int-test', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    return new Promise((resolve) =>
      child.on('close', (code) => {
        this.children.delete(child);
        resolve({ code, stdout, stderr });
      }),
    );
  }

  /** Dead letters exactly as an app's runtime writes them (DlqPublisher), for origin records of `tenant`. */
  async deadLetters(tenant: string, ids: string[], opts: { failure?: MeshError; firstOffset?: number; topic?: string } = {}): Promise<void> {
    const dlq = new DlqPublisher({ producer: this.producer, app: `test-dlq-${this.run}`, topic: opts.topic ?? this.dlqTopic });
    const failure = classify(opts.failure ?? new ConnectionError('connect ECONNREFUSED 127.0.0.1:5432'));
    await dlq.publish(
      ids.map((id, n) => ({
        topic: this.originTopic,
        partition: 0,
        message: {
          key: Buffer.from(`${tenant}:customer:${id}`),
          value: Buffer.from(JSON.stringify({ id, tenant })),
          headers: { traceparent: `00-${id}` },
          offset: String((opts.firstOffset ?? 0) + n),
          timestamp: String(Date.now()),
          attributes: 0,
        } as KafkaMessage,
        failure,
        attempts: 3,
        tenant,
      })),
    );
  }

  async rows(where = 'TRUE', params: unknown[] = []) {
    return (await this.pool.query(`SELECT * FROM "${this.schema}".dead_letters WHERE ${where} ORDER BY id`, params)).rows as Record<string, unknown>[];
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children].map((c) => stopChild(c, { graceMs: 10_000 })));
    for (const app of this.apps) await app.stop('test finished').catch(() => undefined);
    for (const c of this.consumers) await c.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const mine = [...this.topics].filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine, timeout: 30_000 }).catch(() => undefined);
    const groups = (await this.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => this.groupPrefixes.some((p) => g.startsWith(p)));
    if (groups.length > 0) await this.admin.deleteGroups(groups).catch(() => undefined);
    await this.admin.disconnect();
  }

  /** Stopped in stop(), before the redrivers. */
  track(app: MeshApp): MeshApp {
    this.apps.unshift(app);
    return app;
  }

  trackChild(child: ChildProcess): void {
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
  }

  addGroupPrefix(prefix: string): void {
    this.groupPrefixes.push(prefix);
  }

  addTopics(...topics: string[]): void {
    for (const t of topics) this.topics.add(t);
  }
}
