// Issue 4, item 7 — the webhook of the running router (in-process, real stack): a 202 means the
// records are in Kafka, and the router then routes them to their sinks like any raw record;
// refusals (401, 413, 400 with field-level errors) accept nothing; the OpenAPI document is served.
import { parseTraceparent } from '@ingest-mesh/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, decodeSink, header, newTrace, post, RouterRun } from './test-support/router-harness.js';

const r = new RouterRun();

beforeAll(() => r.start(), 180_000);
afterAll(() => r.stop(), 120_000);

const ndjson = (...records: object[]) => Buffer.from(records.map((x) => JSON.stringify(x)).join('\n'));
const sourceRecords = async () => (await r.admin.fetchTopicOffsets(r.sourceTopic)).reduce((n, p) => n + Number(p.high), 0);

describe('ingest-router webhook', () => {
  it('answers 202 once the records are in Kafka, and the router routes them to the sinks', async () => {
    const id = (n: string) => `${r.run}-wh-${n}`;
    const trace = newTrace();
    const res = await fetch(`${r.base}/ingest/${r.acme}/customer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.token('acme')}`, 'content-type': 'application/x-ndjson', traceparent: trace.traceparent },
      body: ndjson(
        { id: id('1'), revision: 1, payload: customer(id('1')) },
        { id: id('2'), revision: '4', priority: 'high', payload: customer(id('2'), { tier: 'enterprise', country: 'FR' }) },
        { id: id('3'), revision: 2, op: 'delete' },
      ),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3, ids: [id('1'), id('2'), id('3')] });

    const keys = ['1', '2', '3'].map((n) => `${r.acme}:customer:${id(n)}`);
    const pg = await r.tail.keys(r.pgTopic, keys);
    await r.tail.keys(r.searchTopic, keys);
    const [one, two, three] = await Promise.all(keys.map((k) => decodeSink(r.catalog, pg.get(k)![0]!)));
    expect(one!.record).toMatchObject({ tenant: r.acme, source: 'webhook', entityType: 'customer', id: id('1'), revision: 1, op: 'upsert' });
    expect(one!.entity).toEqual({ id: id('1'), name: `Customer ${id('1')}`, email: `${id('1')}@example.com`, tier: 'free', country: null, createdAt: Date.parse('2025-03-01T12:00:00Z') });
    expect(two!.record).toMatchObject({ revision: 4, priority: 'high' });
    expect(two!.entity).toMatchObject({ tier: 'enterprise', country: 'FR' });
    expect(three!.record).toMatchObject({ op: 'delete', revision: 2, payload: null });
    for (const k of keys) {
      const m = pg.get(k)![0]!;
      expect(parseTraceparent(header(m, 'traceparent')!)?.traceId).toBe(trace.traceId); // the request's trace, continued
      expect(header(m, 'x-mesh-ingest-source')).toBe('webhook');
    }
  });

  it('answers 401 to a tenant without a webhook token, a wrong token and an unknown tenant, and accepts nothing', async () => {
    const before = await sourceRecords();
    const body = JSON.stringify({ id: `${r.run}-wh-401`, revision: 1, payload: customer(`${r.run}-wh-401`) });
    const attempts = [
      { tenant: r.initech, token: r.token('acme') }, // configured, but no token in the environment
      { tenant: r.initech, token: '' },
      { tenant: r.acme, token: r.token('globex') }, // another tenant's token
      { tenant: `nobody-${r.run}`, token: r.token('acme') },
    ];
    for (const a of attempts) {
      const res = await fetch(`${r.base}/ingest/${a.tenant}/customer`, {
        method: 'POST',
        headers: { ...(a.token ? { authorization: `Bearer ${a.token}` } : {}), 'content-type': 'application/json' },
        body,
      });
      expect(res.status, a.tenant).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ingest"');
      expect(await res.json()).toEqual({ error: "missing or wrong bearer token (Authorization: Bearer <the tenant's webhook token>)" });
    }
    expect(await sourceRecords()).toBe(before);
  });

  it('answers 413 to a 5 MB body without reading it, and accepts nothing', async () => {
    const before = await sourceRecords();
    const record = JSON.stringify({ id: `${r.run}-wh-big`, revision: 1, payload: customer(`${r.run}-wh-big`, { name: 'x'.repeat(5 * 1024 * 1024) }) });
    const res = await post(
      `${r.base}/ingest/${r.acme}/customer`,
      { authorization: `Bearer ${r.token('acme')}`, 'content-type': 'application/json' },
      Buffer.from(record),
    );
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(res.json).toEqual({ error: `body over ${5 * 1024 * 1024} bytes; split it into several requests` });
    expect(await sourceRecords()).toBe(before);
  });

  it('answers 400 naming each line and field, and accepts none of the records', async () => {
    const before = await sourceRecords();
    const res = await fetch(`${r.base}/ingest/${r.acme}/customer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.token('acme')}`, 'content-type': 'application/x-ndjson' },
      body: ndjson(
        { id: `${r.run}-wh-ok`, revision: 1, payload: customer(`${r.run}-wh-ok`) },
        { revision: 'abc', payload: {} },
        { id: `${r.run}-wh-bad`, revision: 1, priority: 'urgent', payload: customer(`${r.run}-wh-bad`) },
        { id: `${r.run}-wh-nopayload`, revision: 1 },
      ),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: '4 problem(s) in the records; nothing was accepted',
      errorCount: 4,
      errors: [
        { line: 2, field: 'id', problem: 'required field missing' },
        { line: 2, field: 'revision', problem: 'expected a non-negative integer up to 2^53-1' },
        { line: 3, field: 'priority', problem: 'expected high, normal or low' },
        { line: 4, field: 'payload', problem: 'required for op upsert' },
      ],
    });
    expect(await sourceRecords()).toBe(before);
  });

  it('serves its OpenAPI document at GET /openapi.json', async () => {
    const res = await fetch(`${r.base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId?: string; responses?: object }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/ingest/{tenant}/{entityType}', '/openapi.json']);
    expect(doc.paths['/ingest/{tenant}/{entityType}']!.post!.operationId).toBe('ingestRecords');
    expect(Object.keys(doc.paths['/ingest/{tenant}/{entityType}']!.post!.responses!)).toEqual(expect.arrayContaining(['202', '400', '401', '413', '429', '503']));
  });
});
