// The search index, end to end: ingest-router and sink-search as child processes (spawned by
// path), documents in OpenSearch; then one tenant's window of the raw and the sink topic is
// replayed into those same topics. The router skips the raw copies (dedupe); sink-search's
// external versioning refuses the sink copies as equal revisions (no-op): every document keeps
// its _version, _seq_no and _source.
import { rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { registerSchemas } from '@ingest-mesh/avro';
import { freePort, spawnRouter, stackEndpoints, waitFor, type RouterProcess } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ReplayHarness, type Child } from './test-support/replay-harness.js';

const { SEARCH_URL } = stackEndpoints();
const h = new ReplayHarness({ freePort, waitFor });
const sinkName = `t${h.run}-search`;
const sinkTopic = `sink.${sinkName}`;
const prefix = `test-replay-${h.run}-`;
const A = `acme-${h.run}`;
const AT = '2025-03-01T12:00:00.000Z';

const search = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${SEARCH_URL}${url}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
};

describe('replaying ingest.raw and sink.* through ingest-router and sink-search changes no document', () => {
  let router: RouterProcess;
  let sinkGroup: string;
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
    const runtime = { ...h.secrets, MESH_FETCH_MAX_WAIT_MS: '100', MESH_SHUTDOWN_DEADLINE_MS: '10000', LOG_LEVEL: 'warn' };
    router = await spawnRouter({
      run: h.run,
      config: { tenants: { [A]: { ratePerSec: 5000, burst: 5000 } }, entityTypes: { customer: { sinks: [sinkName] } } },
      env: runtime,
      port: await freePort(),
    });
    h.addTopics(...router.topics);
    h.addGroupPrefix(router.groupId);
    h.adopt(router.child as Child);
    const sinkPort = await freePort();
    sinkGroup = `${h.groupPrefix}.search`;
    const sink = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO_ROOT, 'apps/sink-search/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...runtime,
        MESH_CONTROL_TOPIC: h.controlTopic,
        MESH_HTTP_HOST: '127.0.0.1',
        MESH_HTTP_PORT: String(sinkPort),
        SEARCH_URL,
        SINK_SEARCH_INDEX_PREFIX: prefix,
        SINK_TOPIC: sinkTopic,
        SINK_GROUP_ID: sinkGroup,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as unknown as Child;
    h.adopt(sink);
    await Promise.all([ready(router.port, 'the router', router.child as Child), ready(sinkPort, 'sink-search', sink)]);
    await h.spawnCoordinator({ REPLAY_APPROVAL_THRESHOLD: '100000' });
  }, 300_000);

  afterAll(async () => {
    await h.stop();
    if (router) rmSync(router.configFile, { force: true });
    await search('DELETE', `/${prefix}*`).catch(() => undefined);
    const templates = await search('GET', `/_index_template/${prefix}*`).catch(() => undefined);
    for (const t of (templates?.json['index_templates'] as { name: string }[] | undefined) ?? [])
      await search('DELETE', `/_index_template/${t.name}`).catch(() => undefined);
  }, 180_000);

  const raw = (id: string, revision: number) => ({
    key: `${A}:customer:${id}`,
    value: JSON.stringify({
      tenant: A,
      source: 'crm',
      entityType: 'customer',
      id,
      revision,
      occurredAt: AT,
      payload: { id, name: `Customer ${id} r${revision}`, email: `${id}@example.com`, tier: 'pro', country: 'DE', createdAt: AT },
    }),
  });
  const docs = async () => {
    await search('POST', `/${prefix}*/_refresh`);
    const r = await search('POST', `/${prefix}*/_search`, {
      size: 1000,
      version: true,
      seq_no_primary_term: true,
      sort: [{ _id: 'asc' }],
      query: { match_all: {} },
    });
    const hits = ((r.json['hits'] as { hits?: unknown[] } | undefined)?.hits ?? []) as Record<string, unknown>[];
    return hits.map(({ _id, _index, _version, _seq_no, _primary_term, _source }) => ({ _id, _index, _version, _seq_no, _primary_term, _source }));
  };
  const committedToEnd = async (groupId: string, topic: string) => {
    const ends = await h.admin.fetchTopicOffsets(topic);
    const [committed] = await h.admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((e) => e.high === '0' || committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high) ? true : undefined;
  };
  const settled = () =>
    waitFor(
      'router and sink to have consumed everything',
      async () => ((await committedToEnd(router.groupId, router.sourceTopic)) && (await committedToEnd(sinkGroup, sinkTopic)) ? true : undefined),
      120_000,
    );

  it('leaves every document as it was', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const messages = [];
    for (let rev = 1; rev <= 3; rev++) for (let i = 0; i < 30; i++) messages.push(raw(`c${i}`, rev));
    await h.send(router.sourceTopic, messages);
    await settled();
    const before = await waitFor(
      'the documents',
      async () => {
        const d = await docs();
        return d.length === 30 && d.every((x) => x._version === 3) ? d : undefined;
      },
      120_000,
    );

    const planId = randomUUID();
    const to = new Date(Date.now() + 60_000).toISOString();
    expect(await h.command('replay_plan', { planId, sources: `${router.sourceTopic},${sinkTopic}`, from, to, throttle: '2000' }, A)).toMatchObject({
      outcome: 'applied',
    });
    expect(await h.command('replay_run', { planId })).toMatchObject({ outcome: 'applied' });
    expect(await h.waitForStatus(planId, 'completed')).toMatchObject({ read: 180, produced: 180 });
    await settled();

    expect(await docs()).toEqual(before);
  });
});
