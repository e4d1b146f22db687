// The whole loop on the real stack: sink-postgres (its main.ts as a child process, set to
// dead-letter exhausted infrastructure failures) writes into a scratch PostgreSQL that the test
// stops; real SinkRecords fail with CONNECTION_ERROR and reach dlq.sink-postgres; the redriver
// stores them; the server comes back; `dlqtriage redrive --wait` (a child process) brings every
// one of them to the sink exactly once; a second redrive finds nothing left to send.
import path from 'node:path';
import pg from 'pg';
import { registerSchemas, SchemaCatalog } from '@ingest-mesh/avro';
import { headerString } from '@ingest-mesh/kafka-runtime';
import { SinkRecordFactory } from '@ingest-mesh/sink-kit/testing';
import { freePort, ScratchPostgres, waitFor } from '@ingest-mesh/testing';
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, RedriverRun } from './test-support/redriver-run.js';

const SINK_DLQ = 'dlq.sink-postgres';

describe('DLQ → store → fix → dlqtriage redrive → sink, exactly once', () => {
  const r = new RedriverRun();
  const sinkTopic = `test.sink.pg-dlq.${r.run}`;
  const sinkGroup = `mesh.test-dlqloop-${r.run}`;
  const sinkSchema = `test_dlqloop_${r.run}`;
  const records = new SinkRecordFactory(new SchemaCatalog({ registry: r.registry }), r.tenantA);
  const onSinkTopic: KafkaMessage[] = [];
  let server: ScratchPostgres;
  let db: pg.Pool;
  let sinkOutput = '';

  beforeAll(async () => {
    r.addTopics(sinkTopic);
    r.addGroupPrefix(sinkGroup);
    server = await ScratchPostgres.create(await freePort());
    db = new pg.Pool({ connectionString: server.url, max: 2 });
    db.on('error', () => undefined);
    await r.start();
    await registerSchemas(r.registry);
    await r.follow(sinkTopic, async (m) => {
      onSinkTopic.push(m);
    });
    // The sink needs its database up to start: it migrates its tables on connect.
    const sink = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO_ROOT, 'apps/sink-postgres/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...r.vars(),
        DATABASE_URL: server.url,
        SINK_PG_SCHEMA: sinkSchema,
        SINK_TOPIC: sinkTopic,
        SINK_GROUP_ID: sinkGroup,
        SINK_DEAD_LETTER_INFRASTRUCTURE_FAILURES: 'true',
        SINK_CIRCUIT_RESET_MS: '1000',
        MESH_RETRY_BASE_MS: '20',
        MESH_RETRY_CAP_MS: '200',
        MESH_RETRY_MAX_ATTEMPTS: '2',
        MESH_INSTANCE_ID: `sink-${r.run}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sink.stdout.on('data', (c: Buffer) => (sinkOutput = (sinkOutput + c.toString()).slice(-4000)));
    sink.stderr.on('data', (c: Buffer) => (sinkOutput = (sinkOutput + c.toString()).slice(-4000)));
    r.trackChild(sink);
    await waitFor(
      'sink-postgres started',
      async () => (r.events.some((e) => e.type === 'app.started' && e.instance === `sink-${r.run}`) ? true : undefined),
      90_000,
    );
    // The redriver reads the shared dlq.sink-postgres from now on (not other runs' history).
    await r.admin.resetOffsets({ groupId: r.group, topic: SINK_DLQ, earliest: false });
    await r.startRedriver({}, [SINK_DLQ]);
  }, 180_000);
  afterAll(async () => {
    await r.stop();
    await db?.end().catch(() => undefined);
    await server?.destroy();
  }, 120_000);

  const rows = async () =>
    (await db.query<{ id: string; revision: string }>(`SELECT id, revision FROM "${sinkSchema}".customers WHERE tenant = $1 ORDER BY id`, [r.tenantA])).rows;
  const send = async (ids: string[], revision: number) =>
    r.producer.send({
      topic: sinkTopic,
      acks: -1,
      messages: await Promise.all(ids.map(async (id) => ({ key: records.key('customer', id), value: await records.customer(id, revision) }))),
    });

  it('brings every dead-lettered record to the sink once the fault is fixed', async () => {
    await send(['ok-1', 'ok-2'], 1);
    await waitFor(
      `the first records written (sink: ${sinkOutput.slice(-600)})`,
      async () => ((await rows().catch(() => [])).length === 2 ? true : undefined),
      60_000,
    );

    // Fault: the sink's database goes away; the records exhaust their retries and are dead-lettered.
    await server.stop();
    const ids = Array.from({ length: 20 }, (_, n) => `c${String(n).padStart(2, '0')}`);
    await send(ids, 1);
    const letters = await waitFor(
      `20 letters of the tenant stored (sink: ${sinkOutput.slice(-600)})`,
      async () => {
        const stored = await r.rows('tenant = $1', [r.tenantA]);
        return stored.length >= 20 ? stored : undefined;
      },
      120_000,
    );
    expect(letters).toHaveLength(20);
    expect(new Set(letters.map((l) => l['reason']))).toEqual(new Set(['CONNECTION_ERROR']));
    expect(letters.every((l) => l['app'] === 'sink-postgres' && l['origin_topic'] === sinkTopic && l['retryable'] === true && l['status'] === 'new')).toBe(
      true,
    );

    // A dry run while it is still down changes nothing.
    const dry = await r.cli(['redrive', '--tenant', r.tenantA, '--reason', 'CONNECTION_ERROR', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ matched: 20, succeeded: 0 });
    expect(onSinkTopic.filter((m) => headerString(m.headers, 'x-mesh-redrive-id'))).toEqual([]);

    // Fixed: the server is back; the operator redrives.
    await server.start();
    const res = await r.cli(['redrive', '--tenant', r.tenantA, '--reason', 'CONNECTION_ERROR', '--app', 'sink-postgres', '--rate', '0', '--wait', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'done', matched: 20, succeeded: 20, failed: 0 });
    await waitFor(
      `every record in the sink (sink: ${sinkOutput.slice(-600)})`,
      async () => ((await rows().catch(() => [])).length === 22 ? true : undefined),
      90_000,
    );
    await waitFor(
      'the sink committed to the end',
      async () => {
        const ends = await r.admin.fetchTopicOffsets(sinkTopic);
        const [committed] = await r.admin.fetchOffsets({ groupId: sinkGroup, topics: [sinkTopic] });
        return ends.every((e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high) ? true : undefined;
      },
      60_000,
    );

    // Exactly once: one redriven copy per letter on the sink topic, every row at its revision,
    // every letter redriven, no new letters for the tenant.
    const redriven = onSinkTopic.filter((m) => headerString(m.headers, 'x-mesh-redrive-id'));
    expect(redriven).toHaveLength(20);
    expect(new Set(redriven.map((m) => m.key!.toString()))).toEqual(new Set(ids.map((id) => records.key('customer', id))));
    expect((await rows()).map((x) => [x.id, x.revision])).toEqual([...ids, 'ok-1', 'ok-2'].sort().map((id) => [id, '1']));
    const after = await r.rows('tenant = $1', [r.tenantA]);
    expect(after).toHaveLength(20);
    expect(after.every((l) => l['status'] === 'redriven')).toBe(true);

    const again = await r.cli(['redrive', '--tenant', r.tenantA, '--wait', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ matched: 0, succeeded: 0 });
  }, 180_000);
});
