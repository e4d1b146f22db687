// For *.int.spec.ts only: one run of the replay-coordinator on the real stack with everything
// unique to it (control topic, schema, groups, topics), the coordinator as child processes of
// its main.ts (so a test can SIGKILL one), commands signed and published as replayctl does,
// and the store read directly. stop() removes it all.
import { createSchemaRegistry } from '@ingest-mesh/avro';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { deleteGroupsByPrefix, keepOutput, stackEndpoints, stopChild } from '@ingest-mesh/testing';
import { ControlCodec, newCommand, publishCommand, signCommand, type ControlCommandType } from '@ingest-mesh/control';
import { createKafkaClient, type Admin, type KafkaMessage, type Message, type Producer } from '@ingest-mesh/kafka-client';
import pg from 'pg';

const endpoints = stackEndpoints();
export const BROKERS = endpoints.KAFKA_BROKERS.split(',').map((b) => b.trim());
export const REGISTRY_URL = endpoints.SCHEMA_REGISTRY_URL;
export const DATABASE_URL = endpoints.DATABASE_URL;
export const APP_DIR = path.resolve(import.meta.dirname, '../..');
export const REPO_ROOT = path.resolve(APP_DIR, '../..');

export type Child = ChildProcess & { output: string[]; port: number; instanceId: string };

/** The spec's helpers from @ingest-mesh/testing (only specs may import it). */
export interface HarnessTools {
  freePort(): Promise<number>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number, intervalMs?: number): Promise<T>;
}

export class ReplayHarness {
  readonly run = randomUUID().replaceAll('-', '').slice(0, 10);
  readonly schema = `test_replay_${this.run}`;
  readonly controlTopic = `test.mesh.control.replay.${this.run}`;
  readonly groupPrefix = `test.replay.${this.run}`;
  readonly secrets = { MESH_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`, MESH_CONTROL_SECRET: `control-${randomBytes(24).toString('hex')}` };
  readonly kafka = createKafkaClient({ clientId: `replay-int-${this.run}`, brokers: BROKERS });
  readonly registry = createSchemaRegistry({ host: REGISTRY_URL });
  readonly codec = new ControlCodec(this.registry);
  readonly pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
  admin!: Admin;
  producer!: Producer;
  private readonly children = new Set<Child>();
  private readonly topics = new Set<string>([this.controlTopic]);
  private readonly groupPrefixes = [this.groupPrefix];
  private readonly schemas = [this.schema];
  private spawned = 0;

  constructor(private readonly tools: HarnessTools) {}

  async start(): Promise<void> {
    this.pool.on('error', () => undefined);
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.producer = this.kafka.producer();
    await this.producer.connect();
    await this.createTopics([this.controlTopic], 1);
  }

  async createTopics(topics: string[], partitions = 3): Promise<void> {
    await this.admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })), waitForLeaders: true });
    for (const t of topics) this.topics.add(t);
  }

  addTopics(...topics: string[]): void {
    for (const t of topics) this.topics.add(t);
  }

  addGroupPrefix(prefix: string): void {
    this.groupPrefixes.push(prefix);
  }

  addSchema(schema: string): void {
    this.schemas.push(schema);
  }

  /** Keeps a child's output (for failure messages) and stops it in stop(). */
  adopt(child: Child): Child {
    child.output = keepOutput(child, 300, child.output ?? []);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** apps/replay-coordinator/src/main.ts as its own process; resolves once it is ready. */
  async spawnCoordinator(extra: Record<string, string> = {}): Promise<Child> {
    const port = await this.tools.freePort();
    const instanceId = `replay-${this.run}-${++this.spawned}`;
    const child = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(APP_DIR, 'src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...this.secrets,
        DATABASE_URL,
        MESH_CONTROL_TOPIC: this.controlTopic,
        MESH_HTTP_HOST: '127.0.0.1',
        MESH_HTTP_PORT: String(port),
        MESH_FETCH_MAX_WAIT_MS: '100',
        MESH_SHUTDOWN_DEADLINE_MS: '10000',
        LOG_LEVEL: 'warn',
        MESH_INSTANCE_ID: instanceId,
        REPLAY_SCHEMA: this.schema,
        REPLAY_GROUP_ID: `${this.groupPrefix}.coordinator`,
        REPLAY_GROUP_PREFIX: `${this.groupPrefix}.run`,
        REPLAY_POLL_MS: '200',
        REPLAY_LEASE_MS: '4000',
        // Small fetches: a run needs many of them, as it does on real volumes.
        REPLAY_FETCH_MAX_BYTES: '8192',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as unknown as Child;
    child.port = port;
    child.instanceId = instanceId;
    this.adopt(child);
    await this.tools.waitFor(
      'the coordinator to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`the coordinator exited with ${child.exitCode}:\n${child.output.join('')}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined;
      },
      90_000,
    );
    return child;
  }

  /** Signs and publishes a replay command, then waits for the coordinator's recorded outcome. */
  async command(
    type: ControlCommandType,
    args: Record<string, string>,
    tenant?: string,
    issuedBy = 'tester@int',
  ): Promise<{ outcome: string; refusal: string | null; message: string | null }> {
    const cmd = signCommand(newCommand({ type, target: { tenant: tenant ?? null }, args, issuedBy }), this.secrets.MESH_CONTROL_SECRET);
    await publishCommand(this.producer, this.codec, cmd, this.controlTopic);
    return this.tools.waitFor(
      `the outcome of ${type}`,
      async () => {
        const r = await this.pool
          .query(`SELECT outcome, refusal, message FROM "${this.schema}".commands WHERE command_id = $1`, [cmd.id])
          .catch(() => undefined);
        return r?.rows[0] as { outcome: string; refusal: string | null; message: string | null } | undefined;
      },
      60_000,
    );
  }

  async plan(id: string): Promise<Record<string, unknown>> {
    return (
      await this.pool.query(
        `SELECT *, read::float8 AS read, produced::float8 AS produced, estimate::float8 AS estimate FROM "${this.schema}".plans WHERE id = $1`,
        [id],
      )
    ).rows[0] as Record<string, unknown>;
  }

  async waitForStatus(id: string, status: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    return this.tools.waitFor(
      `plan ${id} to be ${status}`,
      async () => {
        const p = await this.plan(id);
        return p['status'] === status ? p : undefined;
      },
      timeoutMs,
    );
  }

  async send(topic: string, messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 500) await this.producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  }

  /** Everything on `topic` now (reads up to the high watermarks of this moment). */
  async readAll(topic: string): Promise<(KafkaMessage & { partition: number })[]> {
    const ends = await this.admin.fetchTopicOffsets(topic);
    const want = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
    const out: (KafkaMessage & { partition: number })[] = [];
    if (want.size === 0) return out;
    const groupId = `${this.groupPrefix}.read.${randomUUID().slice(0, 8)}`;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Set<number>();
    let finished!: () => void;
    const all = new Promise<void>((resolve) => (finished = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const high = want.get(partition);
        if (high === undefined || Number(message.offset) >= high) return;
        out.push({ ...message, partition });
        if (Number(message.offset) === high - 1) done.add(partition);
        if (done.size === want.size) finished();
      },
    });
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out reading ${topic}`)), 60_000))]);
    await consumer.disconnect();
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children].map((c) => stopChild(c)));
    await this.producer?.disconnect().catch(() => undefined);
    for (const s of this.schemas) await this.pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const mine = [...this.topics].filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine, timeout: 30_000 }).catch(() => undefined);
    await deleteGroupsByPrefix(this.admin, this.groupPrefixes);
    await this.admin.disconnect();
  }
}
