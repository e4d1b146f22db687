// replayctl as operators run it (bin/replayctl.mjs, a child process) against a real
// replay-coordinator (a child process of apps/replay-coordinator/src/main.ts, started by path: a
// tool never imports an app) on the real stack, with a control topic, schema, groups and topics
// of this run only. Checks the exit codes and output of plan/approve/run --wait/status/list/hold
// and, on Kafka, that exactly the tenant's window records were republished to the target intact.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { headerString, REDRIVE_HEADERS } from '@ingest-mesh/kafka-runtime';
import { freePort, stackEndpoints, waitFor } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type KafkaMessage, type Message, type Producer } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
const endpoints = stackEndpoints();
const BROKERS = endpoints.KAFKA_BROKERS.split(',').map((b) => b.trim());
const DATABASE_URL = endpoints.DATABASE_URL;
const run = randomBytes(5).toString('hex');
const schema = `test_replayctl_${run}`;
const controlTopic = `test.replayctl.control.${run}`;
const source = `test.replayctl.src.${run}`;
const target = `test.replayctl.out.${run}`;
const groupPrefix = `test.replayctl.${run}`;
const A = `acme-${run}`;
const B = `globex-${run}`;
const secret = `control-${randomBytes(24).toString('hex')}`;
// Window [FROM, TO) two hours ago; records before and after it by explicit timestamps.
const T0 = Date.now() - 7_200_000;
const FROM = new Date(T0).toISOString();
const TO = new Date(T0 + 600_000).toISOString();
const WINDOW = 24; // half A's, half B's: above the threshold below, so a plan needs approval
const THRESHOLD = 10;

const kafka = createKafkaClient({ clientId: `replayctl-int-${run}`, brokers: BROKERS });
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
let admin: Admin;
let producer: Producer;
let coordinator: ChildProcess | undefined;
const coordinatorOutput: string[] = [];

function record(i: number, ts: number, tag: string): Message {
  const tenant = i % 2 === 0 ? A : B;
  const value = { tenant, source: 'crm', entityType: 'customer', id: `${tag}-${i}`, revision: 1, payload: { n: i } };
  return {
    key: `${tenant}:customer:${tag}-${i}`,
    value: JSON.stringify(value),
    headers: { 'x-mesh-tenant': tenant, 'x-test': `${tag}-${i}` },
    timestamp: String(ts),
  };
}

const cliEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  DATABASE_URL,
  REPLAY_SCHEMA: schema,
  MESH_CONTROL_TOPIC: controlTopic,
  MESH_CONTROL_SECRET: secret,
  REPLAYCTL_USER: 'tester@int',
  REPLAYCTL_TIMEOUT_MS: '60000',
});

/** One replayctl invocation; SIGKILLed after 2 minutes so a hang fails the test instead of the run. */
function replayctl(args: string[], env = cliEnv()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'tools/replayctl/bin/replayctl.mjs'), ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Everything on `topic` up to the high watermarks of this moment. */
async function readAll(topic: string): Promise<(KafkaMessage & { partition: number })[]> {
  const want = new Map((await admin.fetchTopicOffsets(topic)).filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
  const out: (KafkaMessage & { partition: number })[] = [];
  if (want.size === 0) return out;
  const consumer = kafka.consumer({ groupId: `${groupPrefix}.read.${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100 });
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
  await all;
  await consumer.disconnect();
  return out;
}

const str = (m: KafkaMessage, h: string) => headerString(m.headers, h);
const planIdOf = (stdout: string) => /^plan ([0-9a-f-]{36})$/m.exec(stdout)?.[1];
const planArgs = (tenant: string) => ['plan', '--tenant', tenant, '--from', FROM, '--to', TO, '--sources', source, '--target', target, '--throttle', '100'];

describe('replayctl against a replay-coordinator', () => {
  let planId = '';
  let windowOfA: (KafkaMessage & { partition: number })[];

  beforeAll(async () => {
    pool.on('error', () => undefined);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: controlTopic, numPartitions: 1 },
        { topic: source, numPartitions: 3 },
        { topic: target, numPartitions: 3 },
      ].map((t) => ({ ...t, replicationFactor: -1 })),
      waitForLeaders: true,
    });
    producer = kafka.producer();
    await producer.connect();
    // In timestamp order per partition, as offsets-by-timestamp expects.
    await producer.send({ topic: source, acks: -1, messages: Array.from({ length: 6 }, (_, i) => record(i, T0 - 60_000 + i, 'before')) });
    await producer.send({ topic: source, acks: -1, messages: Array.from({ length: WINDOW }, (_, i) => record(i, T0 + i * 1000, 'in')) });
    await producer.send({ topic: source, acks: -1, messages: Array.from({ length: 6 }, (_, i) => record(i, T0 + 1_200_000 + i, 'after')) });
    windowOfA = (await readAll(source)).filter((m) => str(m, 'x-test')!.startsWith('in-') && str(m, 'x-mesh-tenant') === A);
    expect(windowOfA).toHaveLength(WINDOW / 2);

    const port = await freePort();
    coordinator = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO, 'apps/replay-coordinator/src/main.ts')], {
      cwd: REPO,
      env: {
        ...process.env,
        DATABASE_URL,
        MESH_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`,
        MESH_CONTROL_SECRET: secret,
        MESH_CONTROL_TOPIC: controlTopic,
        MESH_HTTP_HOST: '127.0.0.1',
        MESH_HTTP_PORT: String(port),
        MESH_INSTANCE_ID: `replayctl-${run}`,
        MESH_FETCH_MAX_WAIT_MS: '100',
        LOG_LEVEL: 'warn',
        REPLAY_SCHEMA: schema,
        REPLAY_APPROVAL_THRESHOLD: String(THRESHOLD),
        REPLAY_GROUP_ID: `${groupPrefix}.coordinator`,
        REPLAY_GROUP_PREFIX: `${groupPrefix}.run`,
        REPLAY_POLL_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (c: Buffer) => coordinatorOutput.push(c.toString());
    coordinator.stdout!.on('data', keep);
    coordinator.stderr!.on('data', keep);
    await waitFor(
      'the coordinator to be ready',
      async () => {
        if (coordinator!.exitCode !== null) throw new Error(`the coordinator exited with ${coordinator!.exitCode}:\n${coordinatorOutput.join('')}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined;
      },
      90_000,
    );
  }, 180_000);

  afterAll(async () => {
    if (coordinator && coordinator.exitCode === null && coordinator.signalCode === null) {
      const exited = new Promise((resolve) => coordinator!.once('exit', resolve));
      coordinator.kill('SIGTERM');
      const timer = setTimeout(() => coordinator!.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await producer?.disconnect().catch(() => undefined);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end().catch(() => undefined);
    if (!admin) return;
    const existing = new Set(await admin.listTopics());
    const mine = [controlTopic, source, target].filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 30_000 }).catch(() => undefined);
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(groupPrefix));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  }, 120_000);

  it('plan prints the id and the estimate; above the threshold, run exits 4 naming approve', async () => {
    const plan = await replayctl(planArgs(A));
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    planId = planIdOf(plan.stdout)!;
    expect(planId).toBeDefined();
    expect(plan.stdout).toContain(`estimate ${WINDOW} records in the window`);
    expect(plan.stdout).toContain(`approval required: replayctl approve ${planId} --rfa`);

    const refused = await replayctl(['run', planId]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('refused (needs-approval)');
    expect(refused.stderr).toContain(`replayctl approve ${planId}`);
  });

  it('approve --rfa, then run --wait completes; status --json shows every partition done', async () => {
    const approve = await replayctl(['approve', planId, '--rfa', 'RFA-1234']);
    expect(approve).toMatchObject({ code: 0, stdout: `plan ${planId} approved by tester@int under RFA-1234\n` });

    const runWait = await replayctl(['run', planId, '--wait']);
    expect(runWait.code).toBe(0);
    expect(runWait.stdout).toContain(`plan ${planId}: `);
    expect(runWait.stderr).toContain(`completed: ${WINDOW}/${WINDOW} read, ${WINDOW / 2} republished`);

    const status = await replayctl(['status', planId, '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as {
      status: string;
      approval: string;
      rfa: string;
      approvedBy: string;
      progress: Record<string, number>;
      partitions: { topic: string; start: number; end: number; next: number; read: number; produced: number }[];
    };
    expect(s).toMatchObject({ status: 'completed', approval: 'approved', rfa: 'RFA-1234', approvedBy: 'tester@int' });
    expect(s.progress).toMatchObject({ read: WINDOW, total: WINDOW, percent: 100, produced: WINDOW / 2, etaSeconds: 0 });
    expect(s.partitions.map((p) => p.topic)).toEqual([source, source, source]);
    for (const p of s.partitions) expect(p.next).toBeGreaterThanOrEqual(p.end);
    expect(s.partitions.reduce((n, p) => n + p.end - p.start, 0)).toBe(WINDOW);
    expect(s.partitions.reduce((n, p) => n + p.produced, 0)).toBe(WINDOW / 2);
  });

  it("republished exactly the tenant's window records to the target, intact, with the replay headers", async () => {
    const out = await readAll(target);
    expect(out).toHaveLength(WINDOW / 2);
    const bySource = new Map(windowOfA.map((m) => [`${source}/${m.partition}/${m.offset}`, m]));
    for (const m of out) {
      expect(str(m, REDRIVE_HEADERS.replayId)).toBe(planId);
      const original = bySource.get(str(m, 'x-mesh-replay-source')!);
      expect(original, `${str(m, 'x-mesh-replay-source')} is one of A's window records`).toBeDefined();
      expect(m.key!.toString()).toBe(original!.key!.toString());
      expect(m.value!.toString()).toBe(original!.value!.toString());
      expect(str(m, 'x-mesh-tenant')).toBe(A);
      expect(str(m, 'x-test')).toBe(str(original!, 'x-test'));
      expect(Object.keys(m.headers!).sort()).toEqual(['x-mesh-replay-id', 'x-mesh-replay-source', 'x-mesh-tenant', 'x-test']);
    }
    expect(new Set(out.map((m) => str(m, 'x-mesh-replay-source'))).size).toBe(WINDOW / 2);
  });

  it('list --tenant --json lists the tenant’s plans only', async () => {
    const list = await replayctl(['list', '--tenant', A, '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: planId, tenant: A, status: 'completed', estimate: WINDOW, produced: WINDOW / 2 })]);
    const none = await replayctl(['list', '--tenant', B, '--json']);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('a legal hold refuses a plan of the tenant with exit 4 naming the hold, until it is removed', async () => {
    const add = await replayctl(['hold', 'add', '--tenant', B, '--reason', 'litigation L-7']);
    expect(add).toMatchObject({ code: 0, stdout: expect.stringContaining(`legal hold on tenant ${B}`) });
    const holds = await replayctl(['hold', 'list', '--json']);
    expect(JSON.parse(holds.stdout)).toEqual([expect.objectContaining({ tenant: B, reason: 'litigation L-7', createdBy: 'tester@int' })]);

    const held = await replayctl(planArgs(B));
    expect(held.code).toBe(4);
    expect(held.stderr).toContain('refused (held)');
    expect(held.stderr).toContain(`tenant ${B} is under legal hold`);
    expect(held.stderr).toContain('litigation L-7');

    const remove = await replayctl(['hold', 'remove', '--tenant', B]);
    expect(remove).toMatchObject({ code: 0, stdout: `legal hold on tenant ${B} removed\n` });
    const planned = await replayctl(planArgs(B));
    expect(planned.code).toBe(0);
    expect(planIdOf(planned.stdout)).toBeDefined();
  });

  it('usage errors exit 2 with a message; without MESH_CONTROL_SECRET a write command exits 2 naming it', async () => {
    const missing = await replayctl(['plan', '--tenant', A, '--from', FROM, '--to', TO, '--throttle', '100']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('plan needs --sources');
    expect(await replayctl([])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('usage: replayctl <command>') });
    const unknown = await replayctl(['status', planId, '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--bogus');

    const { MESH_CONTROL_SECRET: _secret, ...noSecret } = cliEnv();
    const write = await replayctl(['approve', planId, '--rfa', 'RFA-1'], noSecret);
    expect(write.code).toBe(2);
    expect(write.stderr).toContain('MESH_CONTROL_SECRET is not set');
    expect(write.stderr).toContain('MESH_CONTROL_SECRET_FILE');
    expect(write.stderr).not.toContain(secret);
    // Reads need no secret.
    expect((await replayctl(['status', planId], noSecret)).code).toBe(0);
  });

  it('reads the secret from MESH_CONTROL_SECRET_FILE and issuedBy from MESH_OPERATOR (REPLAYCTL_USER wins over it)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'replayctl-secret-'));
    try {
      const file = path.join(dir, 'control-secret');
      writeFileSync(file, `${secret}\n`);
      const { MESH_CONTROL_SECRET: _secret, REPLAYCTL_USER: _user, ...rest } = cliEnv();
      const fromFile = { ...rest, MESH_CONTROL_SECRET_FILE: file, MESH_OPERATOR: 'operator@file' };
      const C = `initech-${run}`;
      expect(await replayctl(['hold', 'add', '--tenant', C, '--reason', 'file secret'], fromFile)).toMatchObject({ code: 0 });
      const holds = await replayctl(['hold', 'list', '--tenant', C, '--json'], fromFile);
      expect(JSON.parse(holds.stdout)).toEqual([expect.objectContaining({ tenant: C, createdBy: 'operator@file' })]);
      expect(await replayctl(['hold', 'remove', '--tenant', C], fromFile)).toMatchObject({ code: 0 });

      const both = await replayctl(['hold', 'add', '--tenant', C, '--reason', 'both'], { ...fromFile, MESH_CONTROL_SECRET: secret });
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('both MESH_CONTROL_SECRET and MESH_CONTROL_SECRET_FILE are set');

      const older = { ...fromFile, REPLAYCTL_USER: 'tester@int' };
      expect(await replayctl(['hold', 'add', '--tenant', C, '--reason', 'older name'], older)).toMatchObject({ code: 0 });
      expect(JSON.parse((await replayctl(['hold', 'list', '--tenant', C, '--json'], older)).stdout)).toEqual([
        expect.objectContaining({ createdBy: 'tester@int' }),
      ]);
      expect(await replayctl(['hold', 'remove', '--tenant', C], older)).toMatchObject({ code: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
