// Idempotent by construction, end to end: JSON envelopes into a run-unique raw topic,
// ingest-router and sink-postgres as child processes (spawned by path), rows in PostgreSQL; then
// one tenant's window of both the raw topic and the sink topic is replayed into those same
// topics. The router's Redis dedupe skips the raw copies, the sink's revision guard (an equal
// revision is a no-op) absorbs the sink copies: every row is unchanged — same values, same
// revision, same xmin (not even rewritten).
import { rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { registerSchemas } from '@ingest-mesh/avro';
import { freePort, spawnRouter, waitFor, type RouterProcess } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, REPO_ROOT, ReplayHarness, type Child } from './test-support/replay-harness.js';

const h = new ReplayHarness({ freePort, waitFor });
const sinkName = `t${h.run}-pg`;
const sinkTopic = `sink.${sinkName}`;
const sinkSchema = `test_replay_pg_${h.run}`;
const A = `acme-${h.run}`;
const B = `other-${h.run}`;
const AT = '2025-03-01T12:00:00.000Z';

describe('replaying ingest.raw and sink.* through ingest-router and sink-postgres changes nothing', () => {
  let router: RouterProcess;
  let routeGroupsBefore = new Set<string>();
  const routeGroups = async () => (await h.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('ingest-router-routes-'));
  const ready = (port: number, what: string, child: { output?: string[]; exitCode: number | null }) =>
    waitFor(
      `${what} to be ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${(child.output ?? []).join('')}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined;
      },
      120_000,
    );

  beforeAll(async () => {
    await h.start();
    await registerSchemas(h.registry);
    await h.createTopics([sinkTopic]);
    h.addSchema(sinkSchema);
    routeGroupsBefore = new Set(await routeGroups());
    const runtime = { ...h.secrets, MESH_FETCH_MAX_WAIT_MS: '100', MESH_SHUTDOWN_DEADLINE_MS: '10000', LOG_LEVEL: 'warn' };
    router = await spawnRouter({
      run: h.run,
      config: { tenants: { [A]: { ratePerSec: 5000, burst: 5000 }, [B]: { ratePerSec: 5000, burst: 5000 } }, entityTypes: { customer: { sinks: [sinkName] } } },
      env: runtime,
      port: await freePort(),
    });
    h.addTopics(...router.topics);
    h.addGroupPrefix(router.groupId);
    // Adopted, so h.stop() stops it (it outlived every CI run before) and its output is kept.
    h.adopt(router.child as Child);
    const sinkPort = await freePort();
    const sink = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO_ROOT, 'apps/sink-postgres/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...runtime,
        MESH_CONTROL_TOPIC: h.controlTopic,
        MESH_HTTP_HOST: '127.0.0.1',
        MESH_HTTP_PORT: String(sinkPort),
        DATABASE_URL,
        SINK_PG_SCHEMA: sinkSchema,
        SINK_TOPIC: sinkTopic,
        SINK_GROUP_ID: `${h.groupPrefix}.sink`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as unknown as Child;
    h.adopt(sink);
    await Promise.all([ready(router.port, 'the router', router.child), ready(sinkPort, 'sink-postgres', sink)]);
    await h.spawnCoordinator({ REPLAY_APPROVAL_THRESHOLD: '100000' });
  }, 300_000);

  afterAll(async () => {
    await h.stop();
    if (router) rmSync(router.configFile, { force: true });
    const admin = h.kafka.admin();
    await admin.connect();
    const fresh = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('ingest-router-routes-') && !routeGroupsBefore.has(g));
    for (const g of fresh) await admin.deleteGroups([g]).catch(() => undefined);
    await admin.disconnect();
  }, 180_000);

  const raw = (tenant: string, id: string, revision: number) => ({
    key: `${tenant}:customer:${id}`,
    value: JSON.stringify({
      tenant,
      source: 'crm',
      entityType: 'customer',
      id,
      revision,
      occurredAt: AT,
      payload: { id, name: `Customer ${id} r${revision}`, email: `${id}@example.com`, tier: 'pro', country: 'DE', createdAt: AT },
    }),
  });
  const rows = async () =>
    (await h.pool.query(`SELECT xmin::text AS xmin, * FROM "${sinkSchema}".customers WHERE tenant = ANY($1) ORDER BY tenant, id`, [[A, B]])).rows as Record<
      string,
      unknown
    >[];
  const committedToEnd = async (groupId: string, topic: string) => {
    const ends = await h.admin.fetchTopicOffsets(topic);
    const [committed] = await h.admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((e) => e.high === '0' || committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high) ? true : undefined;
  };
  const settled = () =>
    waitFor(
      'router and sink to have consumed everything',
      async () => ((await committedToEnd(router.groupId, router.sourceTopic)) && (await committedToEnd(`${h.groupPrefix}.sink`, sinkTopic)) ? true : undefined),
      120_000,
    );

  it('leaves every row as it was after replaying the tenant window of the raw and the sink topic', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const messages = [];
    for (let rev = 1; rev <= 3; rev++) for (let i = 0; i < 40; i++) messages.push(raw(A, `c${i}`, rev));
    for (let i = 0; i < 20; i++) messages.push(raw(B, `b${i}`, 1));
    await h.send(router.sourceTopic, messages);
    await waitFor(
      'the rows',
      async () => {
        const r = await rows();
        return r.length === 60 && r.filter((x) => x['tenant'] === A).every((x) => x['revision'] === '3') ? r : undefined;
      },
      120_000,
    );
    await settled();
    const before = await rows();

    const planId = randomUUID();
    const to = new Date(Date.now() + 60_000).toISOString();
    expect(await h.command('replay_plan', { planId, sources: `${router.sourceTopic},${sinkTopic}`, from, to, throttle: '2000' }, A)).toMatchObject({
      outcome: 'applied',
    });
    expect(await h.command('replay_run', { planId })).toMatchObject({ outcome: 'applied' });
    const done = await h.waitForStatus(planId, 'completed');
    // 120 raw records and 120 sink records of tenant A (B's 20 + 20 are read, not replayed).
    expect(done).toMatchObject({ read: 280, produced: 240 });
    await settled();

    expect(await rows()).toEqual(before);
  });
});
