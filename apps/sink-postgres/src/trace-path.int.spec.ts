// Issue 16, item 3 — one record's whole path as spans, on the real stack: a webhook request with a
// sampled traceparent into ingest-router (its own process), routed to this run's sink-postgres
// (in-process), both exporting OTLP over HTTP (protobuf, the default) to a local receiver. The
// spans form one trace: the request's span, the router's round, the sink's round and its write,
// each the child of the one before. A record whose traceparent is not sampled leaves no span.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  routerReady,
  spawnRouter,
  startOtlpReceiver,
  stopRouter,
  waitFor,
  type OtlpReceiver,
  type ReceivedSpan,
  type RouterProcess,
} from '@ingest-mesh/testing';
import { SinkPgRun } from './test-support/sink-pg-run.js';

const TOKEN_ENV = 'TRACE_PATH_WEBHOOK_TOKEN';
const TOKEN = randomBytes(24).toString('hex');
const AT = '2025-03-01T12:00:00.000Z';

describe('one record’s spans: webhook → ingest-router → sink-postgres', () => {
  const sinkName = `t${Math.random().toString(36).slice(2, 10)}-pg`;
  const r = new SinkPgRun({ label: 'trace', topic: `sink.${sinkName}` });
  let receiver: OtlpReceiver;
  let router: RouterProcess & { child: { output?: string[] } };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Standard variables only; a short batch delay so spans arrive within the test.
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' };
    await r.start();
    router = await spawnRouter({
      run: r.run,
      config: {
        tenants: { [r.tenant]: { tokenEnv: TOKEN_ENV, ratePerSec: 1000, burst: 2000 } },
        entityTypes: { customer: { sinks: [sinkName] } },
      },
      env: { ...r.runtimeVars(), ...otel, [TOKEN_ENV]: TOKEN },
      port: await freePort(),
    });
    r.track(router.child);
    r.cleanUp({ topics: router.topics });
    r.addGroupPrefix(router.groupId);
    await r.startInProcess({ env: otel });
    await routerReady(router);
  }, 240_000);

  afterAll(async () => {
    await stopRouter(router);
    await r.stop();
    if (router) rmSync(router.configFile, { force: true });
    await receiver?.close();
  }, 120_000);

  const post = (id: string, traceparent: string) =>
    fetch(`http://127.0.0.1:${router.port}/ingest/${r.tenant}/customer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', traceparent },
      body: JSON.stringify({ id, revision: 1, occurredAt: AT, payload: { id, name: `Customer ${id}`, email: `${id}@example.com`, createdAt: AT } }),
    });
  const row = async (id: string) => (await r.db.pool.query('SELECT revision FROM customers WHERE tenant = $1 AND id = $2', [r.tenant, id])).rows[0];

  it('exports the request, both rounds and the write as one trace, each span the child of the one before', async () => {
    const unsampled = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
    const sampled = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
    expect((await post('quiet', `00-${unsampled.traceId}-${unsampled.spanId}-00`)).status).toBe(202);
    expect((await post('traced', `00-${sampled.traceId}-${sampled.spanId}-01`)).status).toBe(202);
    await waitFor('both rows', async () => ((await row('quiet')) && (await row('traced')) ? true : undefined), 90_000);

    const ofTrace = () => receiver.spans.filter((s) => s.traceId === sampled.traceId);
    const byName = (spans: ReceivedSpan[], name: string) => spans.find((s) => s.name === name);
    const path = await waitFor(
      'the four spans of the traced record',
      async () => {
        const spans = ofTrace();
        const webhook = byName(spans, 'POST /ingest/{tenant}/{entityType}');
        const routed = byName(spans, `process ${router.sourceTopic}`);
        const sunk = byName(spans, `process ${r.topic}`);
        const write = spans.find((s) => s.name.startsWith('write '));
        return webhook && routed && sunk && write ? { webhook, routed, sunk, write } : undefined;
      },
      60_000,
    );

    expect(path.webhook).toMatchObject({
      service: 'ingest-router',
      kind: 'server',
      parentSpanId: sampled.spanId, // the caller's span
      attributes: { 'http.request.method': 'POST', 'http.route': '/ingest/{tenant}/{entityType}', 'http.response.status_code': 202, 'mesh.records': 1 },
    });
    expect(path.routed).toMatchObject({
      service: 'ingest-router',
      kind: 'consumer',
      parentSpanId: path.webhook.spanId,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': router.sourceTopic, 'messaging.consumer.group.name': router.groupId },
    });
    expect(path.sunk).toMatchObject({
      service: r.app,
      kind: 'consumer',
      parentSpanId: path.routed.spanId,
      attributes: { 'messaging.destination.name': r.topic, 'mesh.round.handled': path.sunk.attributes['messaging.batch.message_count'] },
    });
    expect(path.write).toMatchObject({ service: r.app, kind: 'client', parentSpanId: path.sunk.spanId, status: { code: 0 } });
    expect(path.write.attributes['mesh.sink.records']).toBeGreaterThanOrEqual(1);
    expect(path.write.resource).toMatchObject({ 'service.namespace': 'ingest-mesh' });

    // The unsampled record went the same way, before the traced one: nothing of its trace was exported.
    expect(receiver.spans.filter((s) => s.traceId === unsampled.traceId)).toEqual([]);
  });
});
