// The runtime's promise, proven on the real stack with a test app (test-app/ledger-app.ts) run
// as a separate process: N records with injected retryable and non-retryable failures, bad
// bytes, duplicates, and a SIGKILL right after an effect is applied but before anything is
// committed. Afterwards every record is applied exactly once or sits in the DLQ with the right
// reason and headers, no offset was ever committed past an unhandled record, and the restarted
// app finished the rest and stopped gracefully on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKafkaClient, type KafkaMessage } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import { createRedisClient, dedupeKey, RedisIdempotencyStore, waitUntilReady } from '@ingest-mesh/idempotency';
import { stackEndpoints, waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS, headerString } from './headers.js';
import type { Entry } from '../test-app/ledger-app.js';

const endpoints = stackEndpoints();
const brokers = endpoints.KAFKA_BROKERS.split(',');
const databaseUrl = endpoints.DATABASE_URL;
const redisUrl = endpoints.REDIS_URL;
const root = path.resolve(import.meta.dirname, '../../..');
const appFile = path.resolve(import.meta.dirname, '../test-app/ledger-app.ts');

const run = randomUUID().slice(0, 8);
const topic = `test.ledger.${run}`;
const table = `ledger_${run}`;
const dlqTopic = 'dlq.ledger-test';
const groupId = 'mesh.ledger-test';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-ledger-'));
const crashMarker = path.join(scratch, 'crashed');

const kafka = createKafkaClient({ clientId: `runtime-int-${run}`, brokers });
const admin = kafka.admin();
const db = new pg.Client({ connectionString: databaseUrl });

// 240 entries over 3 partitions: plain ones, 8 fatal, 8 transient (fail twice), 2 that always
// fail, 6 sent twice, and 4 messages that are not JSON.
const entries: Entry[] = [];
for (let n = 0; n < 240; n++) {
  const e: Entry = { tenant: `t${n % 4}`, id: `${run}-e${n}`, revision: 1 }; // dedupe keys outlive a run
  if (n % 30 === 7) e.fail = 'fatal';
  else if (n % 30 === 11) Object.assign(e, { fail: 'transient', failTimes: 2 });
  else if (n === 101 || n === 202) e.fail = 'always';
  entries.push(e);
}
const duplicates = entries.filter((e, n) => !e.fail && n % 40 === 3);
const crashId = `${run}-e150`;
const garbage = ['{"tenant":"t1","id":', '\u0000\u0001 not json', 'plain text', '[1,2'];

let app: ChildProcess | undefined;

function startApp(extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', appFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      LEDGER_TOPIC: topic,
      LEDGER_TABLE: table,
      LEDGER_CRASH_MARKER: crashMarker,
      MESH_ADMIN_TOKEN: 'runtime-int-admin-token',
      MESH_CONTROL_SECRET: 'runtime-int-control-secret-0123456789abcdef',
      MESH_HTTP_PORT: '0',
      MESH_RETRY_BASE_MS: '20',
      MESH_RETRY_CAP_MS: '200',
      MESH_RETRY_MAX_ATTEMPTS: '4',
      MESH_BATCH_MAX_RECORDS: '50',
      MESH_IDEMPOTENCY_RESERVATION_SECONDS: '2',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout = (stdout + d.toString()).slice(-20_000);
    if (stdout.includes('"msg":"started"')) child.emit('started');
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL') console.error(`ledger app exited ${code ?? signal}: ${stderr}`);
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

const started = (child: ChildProcess) => new Promise<void>((resolve) => child.once('started', resolve));

async function committed(): Promise<Map<number, bigint>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(offsets!.partitions.map((p) => [p.partition, BigInt(p.offset)]));
}

interface Read {
  partition: number;
  message: KafkaMessage;
}

async function readAll(fromTopic: string): Promise<Read[]> {
  const ends = await admin.fetchTopicOffsets(fromTopic);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const consumer = kafka.consumer({ groupId: `runtime-int-reader-${randomUUID()}` });
  const seen: Read[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [fromTopic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push({ partition, message }) });
  await waitFor(`${total} messages on ${fromTopic}`, async () => (seen.length >= total ? true : undefined), 90_000);
  await consumer.disconnect();
  return seen;
}

beforeAll(async () => {
  await admin.connect();
  await db.connect();
  await db.query(`CREATE TABLE ${table}_effects (id text PRIMARY KEY, revision bigint NOT NULL)`);
  await db.query(`CREATE TABLE ${table}_applications (id text NOT NULL)`);
  await db.query(`CREATE TABLE ${table}_handled (id text NOT NULL)`);
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  // The DLQ topic is shared by runs: remember where it ends, only newer letters are this run's.
  const producer = kafka.producer();
  await producer.connect();
  const messages = [
    ...entries.map((e) => ({ key: `${e.tenant}:entry:${e.id}`, value: JSON.stringify(e) })),
    ...duplicates.map((e) => ({ key: `${e.tenant}:entry:${e.id}`, value: JSON.stringify(e) })),
    ...garbage.map((g, n) => ({ key: `t1:entry:garbage${n}`, value: g })),
  ];
  await producer.send({ topic, messages });
  await producer.disconnect();
}, 120_000);

afterAll(async () => {
  if (app && app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.deleteGroups([groupId]).catch(() => undefined);
  for (const t of ['effects', 'applications', 'handled']) await db.query(`DROP TABLE IF EXISTS ${table}_${t}`);
  await db.end();
  await admin.disconnect();
  rmSync(scratch, { recursive: true, force: true });
});

describe('kafka-runtime on the real stack', () => {
  it('crashes right after applying an entry, with no offset committed past it', async () => {
    await admin.createTopics({ topics: [{ topic: dlqTopic, numPartitions: 3 }], waitForLeaders: true }).catch(() => undefined);
    app = startApp({ LEDGER_CRASH_AFTER_ID: crashId });
    const { signal } = await exited(app);
    expect(signal).toBe('SIGKILL');

    const crash = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}_effects WHERE id = $1`, [crashId]);
    expect(crash.rows[0]!.n).toBe('1'); // the effect happened…
    // …but the offset of its record was not committed.
    const crashRecord = (await readAll(topic)).find((r) => r.message.value?.toString().includes(`"id":"${crashId}"`))!;
    const offsets = await committed();
    expect(offsets.get(crashRecord.partition) ?? -1n).toBeLessThanOrEqual(BigInt(crashRecord.message.offset));
  }, 180_000);

  it('restarts, absorbs the redelivery, and finishes everything else', async () => {
    app = startApp();
    await started(app); // its SIGTERM handler is installed from here on
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    await waitFor(
      'the group to commit every record',
      async () => {
        const offsets = await committed();
        return [...ends].every(([p, end]) => offsets.get(p) === end) ? true : undefined;
      },
      120_000,
    );
    app.kill('SIGTERM');
    const { code } = await exited(app);
    expect(code).toBe(0);

    const applied = await db.query<{ id: string; n: string }>(`SELECT id, count(*) AS n FROM ${table}_applications GROUP BY id`);
    const appliedCount = new Map(applied.rows.map((r) => [r.id, Number(r.n)]));
    const shouldApply = entries.filter((e) => e.fail !== 'fatal' && e.fail !== 'always').map((e) => e.id);
    expect([...appliedCount.keys()].sort()).toEqual([...shouldApply].sort());
    expect([...appliedCount.values()].every((n) => n === 1)).toBe(true);

    // The crashed entry was handled again after the restart, and that changed nothing.
    const handled = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}_handled WHERE id = $1`, [crashId]);
    expect(Number(handled.rows[0]!.n)).toBeGreaterThanOrEqual(2);

    // Every applied entry is remembered as done in Redis: sending any again would be skipped.
    const redis = createRedisClient(redisUrl);
    await waitUntilReady(redis);
    const store = new RedisIdempotencyStore({ redis });
    const keys = entries
      .filter((e) => shouldApply.includes(e.id))
      .map((e) => dedupeKey({ tenant: e.tenant, source: 'ledger-test', entityType: 'entry', id: e.id, revision: e.revision }));
    expect(new Set(await store.reserve(keys))).toEqual(new Set(['duplicate']));
    await store.close();
  }, 240_000);

  it('dead-lettered exactly the failing records, bytes unchanged, with the standard headers', async () => {
    const all = (await readAll(dlqTopic)).map((r) => r.message);
    const letters = all.filter((m) => headerString(m.headers, DLQ_HEADERS.originTopic) === topic);
    // Dead-lettering is at-least-once: a letter sent just before the crash, whose offset was not
    // yet committed, is sent again after the restart. Its origin coordinates identify it.
    const origin = (m: KafkaMessage) => `${headerString(m.headers, DLQ_HEADERS.originPartition)}:${headerString(m.headers, DLQ_HEADERS.originOffset)}`;
    const mine = [...new Map(letters.map((m) => [origin(m), m])).values()];
    for (const m of letters)
      expect(headerString(m.headers, DLQ_HEADERS.reason)).toBe(headerString(mine.find((u) => origin(u) === origin(m))!.headers, DLQ_HEADERS.reason));
    const byKey = new Map(mine.map((m) => [m.key!.toString(), m]));
    const fatal = entries.filter((e) => e.fail === 'fatal');
    const always = entries.filter((e) => e.fail === 'always');
    expect(mine).toHaveLength(fatal.length + always.length + garbage.length);

    for (const e of fatal) {
      const m = byKey.get(`${e.tenant}:entry:${e.id}`)!;
      expect(m.value!.toString()).toBe(JSON.stringify(e));
      expect(headerString(m.headers, DLQ_HEADERS.reason)).toBe('VALIDATION_FAIL');
      expect(headerString(m.headers, DLQ_HEADERS.retryable)).toBe('false');
      expect(headerString(m.headers, DLQ_HEADERS.app)).toBe('ledger-test');
      expect(headerString(m.headers, DLQ_HEADERS.tenant)).toBe(e.tenant);
      expect(headerString(m.headers, DLQ_HEADERS.dedupeKey)).toBe(
        dedupeKey({ tenant: e.tenant, source: 'ledger-test', entityType: 'entry', id: e.id, revision: 1 }),
      );
      expect(headerString(m.headers, DLQ_HEADERS.error)).toBe(`ValidationError: entry ${e.id} is marked fatal`);
    }
    for (const e of always) {
      const m = byKey.get(`${e.tenant}:entry:${e.id}`)!;
      expect(headerString(m.headers, DLQ_HEADERS.reason)).toBe('CONNECTION_ERROR');
      expect(headerString(m.headers, DLQ_HEADERS.retryable)).toBe('true');
      expect(headerString(m.headers, DLQ_HEADERS.attempts)).toBe('4');
    }
    for (const [n, g] of garbage.entries()) {
      const m = byKey.get(`t1:entry:garbage${n}`)!;
      expect(m.value!.toString()).toBe(g);
      expect(headerString(m.headers, DLQ_HEADERS.reason)).toBe('INVALID_PAYLOAD');
    }
    // Where each came from: the origin offset holds the very same bytes.
    const source = (await readAll(topic)).map((r) => r.message);
    for (const m of mine) {
      const origin = source.find((s) => s.offset === headerString(m.headers, DLQ_HEADERS.originOffset) && s.key?.equals(m.key!));
      expect(origin?.value?.equals(m.value!)).toBe(true);
    }
  }, 120_000);
});
