// `mesh doctor` (bin/mesh.mjs, as operators run it) against the real stack, with topics, tables
// and schemas of its own so nothing shared is touched: all pass → exit 0; a wrong broker port,
// a missing topic, a compacted topic that is not, and a missing table → exit 1 naming the rows.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { registerSchemas } from '@ingest-mesh/avro';
import { freePort } from '@ingest-mesh/testing';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createKafkaClient, type Admin } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
const run = randomBytes(4).toString('hex');
const app = `sink-doc${run}`;
const topics = {
  MESH_CONTROL_TOPIC: `test.doctor.control.${run}`,
  MESH_EVENTS_TOPIC: `test.doctor.events.${run}`,
  ROUTER_ROUTES_TOPIC: `test.doctor.routes.${run}`,
  ROUTER_SOURCE_TOPIC: `test.doctor.raw.${run}`,
  ROUTER_DEFERRED_TOPIC: `test.doctor.deferred.${run}`,
};
const schema = `doctor_${run}`;
const created = new Set<string>([...Object.values(topics), `sink.doc${run}`, `dlq.${app}`]);
let admin: Admin;
let db: pg.Client;

interface Report {
  ok: boolean;
  checks: { area: string; name: string; status: string; detail: string }[];
}

function doctorEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    ...topics,
    MESH_APPS: app,
    MESH_CONTROL_SECRET: randomBytes(24).toString('hex'),
    MESH_ADMIN_TOKEN: randomBytes(12).toString('hex'),
    SINK_PG_SCHEMA: schema,
    DLQ_STORE_SCHEMA: `${schema}_dlq`,
    REPLAY_SCHEMA: `${schema}_replay`,
    ...extra,
  };
}

function doctor(env: Record<string, string>, ...args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'tools/doctor/bin/mesh.mjs'), 'doctor', '--json', '--timeout-ms', '4000', ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code: code ?? -1, report: JSON.parse(out) as Report, stderr: err });
      } catch {
        reject(new Error(`doctor printed no JSON (exit ${code}): ${out}${err}`));
      }
    });
  });
}

function row(report: Report, area: string, name: string) {
  return report.checks.find((c) => c.area === area && c.name === name);
}

beforeAll(async () => {
  admin = createKafkaClient({ clientId: `doctor-int-${run}`, brokers: process.env.KAFKA_BROKERS!.split(',') }).admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      ...[topics.MESH_CONTROL_TOPIC, topics.MESH_EVENTS_TOPIC, topics.ROUTER_SOURCE_TOPIC, topics.ROUTER_DEFERRED_TOPIC, `sink.doc${run}`, `dlq.${app}`].map(
        (topic) => ({ topic, numPartitions: 3, replicationFactor: -1 }),
      ),
      { topic: topics.ROUTER_ROUTES_TOPIC, numPartitions: 1, replicationFactor: -1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ],
  });
  // The subjects the apps and tools/schemas/register.ts register; idempotent, as they are.
  const registry = new SchemaRegistry({ host: process.env.SCHEMA_REGISTRY_URL! });
  await registerSchemas(registry);
  for (const [subject, file] of [
    ['mesh.control-value', 'ControlCommand.avsc'],
    ['mesh.events-value', 'MeshEvent.avsc'],
  ] as const) {
    const body = JSON.stringify({ schema: JSON.stringify(JSON.parse(await readFile(path.join(REPO, 'schemas/mesh', file), 'utf8'))) });
    const res = await fetch(`${process.env.SCHEMA_REGISTRY_URL}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body,
    });
    expect(res.status, `${subject}: ${await res.text()}`).toBe(200);
  }
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  for (const table of ['customers', 'orders'])
    await db.query(`CREATE TABLE ${schema}.${table} (tenant text, id text, revision bigint, PRIMARY KEY (tenant, id))`);
  await db.query(`CREATE TABLE ${schema}.schema_migrations (version int PRIMARY KEY)`);
  await db.query(`CREATE SCHEMA ${schema}_dlq`);
  await db.query(`CREATE TABLE ${schema}_dlq.schema_migrations (version int PRIMARY KEY)`);
  await db.query(`INSERT INTO ${schema}_dlq.schema_migrations VALUES (1), (2)`);
}, 120_000);

afterAll(async () => {
  await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await db?.query(`DROP SCHEMA IF EXISTS ${schema}_dlq CASCADE`).catch(() => undefined);
  await db?.end().catch(() => undefined);
  if (admin) {
    const existing = new Set(await admin.listTopics());
    const mine = [...created].filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  }
});

describe('mesh doctor on the real stack', () => {
  it('passes every check of a complete environment and exits 0', async () => {
    const { code, report, stderr } = await doctor(doctorEnv());
    expect(
      report.checks.filter((c) => c.status === 'fail'),
      stderr,
    ).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    for (const topic of [...Object.values(topics), `sink.doc${run}`, `dlq.${app}`]) expect(row(report, 'topic', topic)?.status, topic).toBe('pass');
    for (const subject of ['entity.customer', 'mesh.SinkRecord', 'mesh.RawEnvelope', 'mesh.control-value', 'mesh.events-value'])
      expect(row(report, 'registry', subject)?.status, subject).toBe('pass');
    expect(row(report, 'postgres', `${schema}.customers`)?.status).toBe('pass');
    expect(row(report, 'postgres', `${schema}.schema_migrations`)?.status).toBe('pass');
    expect(row(report, 'postgres', `${schema}_dlq`)).toMatchObject({ status: 'pass', detail: '2 migrations applied (dlq-redriver)' });
    expect(row(report, 'postgres', `${schema}_replay`)?.status).toBe('skip');
    expect(row(report, 'redis', 'reachable')?.status).toBe('pass');
    expect(row(report, 'search', 'cluster')?.status).toBe('pass');
  });

  it('fails the broker row on a wrong KAFKA_BROKERS port, and still checks the rest', async () => {
    const port = await freePort();
    const { code, report } = await doctor(doctorEnv({ KAFKA_BROKERS: `127.0.0.1:${port}` }));
    expect(code).toBe(1);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => `${c.area}/${c.name}`)).toEqual(['kafka/broker']);
    expect(row(report, 'kafka', 'broker')!.detail).toContain(`127.0.0.1:${port}`);
    expect(row(report, 'registry', 'mesh.SinkRecord')?.status).toBe('pass');
  });

  it('names a missing topic, a routes topic that is not compacted, and a missing table', async () => {
    await admin.deleteTopics({ topics: [`dlq.${app}`] });
    const wrongRoutes = `test.doctor.routes-wrong.${run}`;
    topics.ROUTER_ROUTES_TOPIC = wrongRoutes;
    created.add(wrongRoutes);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: wrongRoutes, numPartitions: 3, replicationFactor: -1 }] });
    await db.query(`DROP TABLE ${schema}.orders`);
    const { code, report } = await doctor(doctorEnv());
    expect(code).toBe(1);
    expect(
      report.checks
        .filter((c) => c.status === 'fail')
        .map((c) => `${c.area}/${c.name}: ${c.detail}`)
        .sort(),
    ).toEqual([
      `postgres/${schema}.orders: table missing (sink-postgres creates it by its migrations on start)`,
      `topic/dlq.${app}: missing`,
      `topic/${wrongRoutes}: 3 partitions, want exactly 1; cleanup.policy=delete, want compact`,
    ]);
  });

  it('prints the table for people', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'tools/doctor/bin/mesh.mjs'), 'doctor', '--only', 'config,redis'], {
      cwd: REPO,
      env: doctorEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
    expect(code).toBe(0);
    expect(out).toMatch(/^AREA +CHECK +STATUS +DETAIL$/m);
    expect(out).toMatch(/^redis +reachable +PASS/m);
    expect(out).toContain('doctor: 4 pass, 0 fail, 1 skip');
  });
});
