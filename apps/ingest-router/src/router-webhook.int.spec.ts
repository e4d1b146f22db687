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
    expect(one!.entity).toEqual({
      id: id('1'),
      name: `Customer ${id('1')}`,
      email: `${id('1')}@example.com`,
      tier: 'free',
      country: null,
      createdAt: Date.parse('2025-03-01T12:00:00Z'),
    });
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

  it('answers 400 to a record nested deeper than 64 levels, as application/json and as NDJSON, and accepts nothing', async () => {
    const before = await sourceRecords();
    // ~200 KB, under the record limit; re-serialising it used to overflow the stack (a 500).
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const record = (n: string) =>
      JSON.stringify({ id: `${r.run}-wh-${n}`, revision: 1, payload: customer(`${r.run}-wh-${n}`, { name: '@deep' }) }).replace('"@deep"', deep);
    const problem = 'the record nests deeper than 64 levels of objects and arrays (the limit)';
    const headers = (type: string) => ({ authorization: `Bearer ${r.token('acme')}`, 'content-type': type });

    const one = await fetch(`${r.base}/ingest/${r.acme}/customer`, { method: 'POST', headers: headers('application/json'), body: record('deep') });
    expect(one.status).toBe(400);
    expect(await one.json()).toEqual({ error: '1 problem(s) in the records; nothing was accepted', errorCount: 1, errors: [{ field: '', problem }] });

    const good = JSON.stringify({ id: `${r.run}-wh-deep-ok`, revision: 1, payload: customer(`${r.run}-wh-deep-ok`) });
    const many = await fetch(`${r.base}/ingest/${r.acme}/customer`, {
      method: 'POST',
      headers: headers('application/x-ndjson'),
      body: `${good}\n${record('deep-nd')}\n`,
    });
    expect(many.status).toBe(400);
    expect(await many.json()).toEqual({ error: '1 problem(s) in the records; nothing was accepted', errorCount: 1, errors: [{ line: 2, field: '', problem }] });
    expect(await sourceRecords()).toBe(before);
  });

  it('answers 400 naming the field of a number that is not finite (1e400 reads as Infinity), never storing it changed', async () => {
    const before = await sourceRecords();
    const id = (n: string) => `${r.run}-wh-${n}`;
    const withNumbers = (json: string) => json.replace('"@inf"', '1e400').replace('"@-inf"', '-1e400');
    const headers = (type: string) => ({ authorization: `Bearer ${r.token('acme')}`, 'content-type': type });

    const one = await fetch(`${r.base}/ingest/${r.acme}/customer`, {
      method: 'POST',
      headers: headers('application/json'),
      body: withNumbers(JSON.stringify({ id: id('inf'), revision: 1, payload: customer(id('inf'), { country: '@inf' }) })),
    });
    expect(one.status).toBe(400);
    expect(await one.json()).toEqual({
      error: '1 problem(s) in the records; nothing was accepted',
      errorCount: 1,
      errors: [
        { field: 'payload.country', problem: 'expected a finite number, got Infinity (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it' },
      ],
    });

    const many = await fetch(`${r.base}/ingest/${r.acme}/customer`, {
      method: 'POST',
      headers: headers('application/x-ndjson'),
      body: [
        JSON.stringify({ id: id('inf-ok'), revision: 1, payload: customer(id('inf-ok')) }),
        withNumbers(JSON.stringify({ id: id('inf-nested'), revision: 1, payload: customer(id('inf-nested'), { tags: [{ score: 1 }, { score: '@-inf' }] }) })),
      ].join('\n'),
    });
    expect(many.status).toBe(400);
    expect(await many.json()).toEqual({
      error: '1 problem(s) in the records; nothing was accepted',
      errorCount: 1,
      errors: [
        {
          line: 2,
          field: 'payload.tags[1].score',
          problem: 'expected a finite number, got -Infinity (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it',
        },
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
    expect(Object.keys(doc.paths['/ingest/{tenant}/{entityType}']!.post!.responses!)).toEqual(
      expect.arrayContaining(['202', '400', '401', '413', '429', '503']),
    );
  });
});
