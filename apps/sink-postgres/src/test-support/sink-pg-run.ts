// For *.int.spec.ts only: one run of sink-postgres on the real stack, a SinkStackRun (unique sink
// topic, app name / group, DLQ, control topic; real Avro SinkRecords; dead letters, committed
// offsets) plus its own PostgreSQL schema, the sink in-process (startSinkApp) or as a child
// process (main.ts), and the run's rows; stop() removes it all.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { deleteGroupsByPrefix, keepOutput, stopChild } from '@ingest-mesh/testing';
import { startSinkApp, type SinkApp, type SinkAppOptions } from '@ingest-mesh/sink-kit';
import { SinkStackRun, type CustomerRecordOptions } from '@ingest-mesh/sink-kit/testing';
import { PostgresSink } from '../postgres-sink.js';
import { APP_DIR, createTestSchema, DATABASE_URL, demoTables, migrateDemo, MIGRATIONS_DIR, type TestSchema } from './pg-harness.js';

export const REPO_ROOT = path.resolve(APP_DIR, '../..');

export interface SinkPgRunOptions {
  label: string;
  /** The sink topic; default test.sink.pg-<label>.<run> (created with 3 partitions). */
  topic?: string;
  /** DLQ topics to read (default dlq.<app>). */
  dlqTopics?: string[];
}

export class SinkPgRun extends SinkStackRun {
  db!: TestSchema;
  private readonly apps: SinkApp[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly groupPrefixes: string[] = [];

  constructor(private readonly opts: SinkPgRunOptions) {
    super({ ...opts, label: `pg-${opts.label}`, partitions: 3, env: { MESH_SHUTDOWN_DEADLINE_MS: '5000' } });
    // A child's control group carries its instance id: removed by prefix.
    this.groupPrefixes.push(`mesh.${this.app}`);
  }

  get schema(): string {
    return this.db.schema;
  }

  async start(): Promise<void> {
    this.db = await createTestSchema(this.opts.label.replaceAll('-', '_'));
    // The tables exist before the sink starts (its own migrations then find them applied).
    await migrateDemo(this.db.pool, this.db.schema);
    await this.startStack();
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
      env: this.runtimeEnv(opts.env),
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

  /** Consumer groups of processes the test started (their names carry instance ids), removed by stop(). */
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

  override async stop(): Promise<void> {
    // Children get a graceful stop first (they leave their groups), then SIGKILL.
    await Promise.all([...this.children].map((child) => stopChild(child, { graceMs: 10_000 })));
    for (const app of this.apps) await app.stop('test finished').catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (this.admin) await deleteGroupsByPrefix(this.admin, this.groupPrefixes);
    await super.stop();
  }
}
