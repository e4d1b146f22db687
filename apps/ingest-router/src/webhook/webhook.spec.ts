// The webhook on a real loopback HTTP server, with Kafka replaced by a fake produce (pure logic):
// every status code, all-or-nothing, 202 only after produce, bounded body reading, Retry-After.
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenBucket } from '@ingest-mesh/backpressure';
import { isValidTraceparent, parseTraceparent } from '@ingest-mesh/telemetry';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tokenDigest } from './auth.js';
import type { WebhookMessage } from './messages.js';
import { webhookOpenApi } from './openapi.js';
import { createWebhook, type WebhookTenant } from './webhook.js';

const RECEIVED = new Date('2025-03-01T12:00:00.000Z');
const TOKENS = { acme: 'acme-token-0123456789', globex: 'globex-token-0123456789', slow: 'slow-token-0123456789' };
const MAX_RECORD = 64 * 1024;

let clockMs = 0;
const bucket = (ratePerSec: number, burst: number) => new TokenBucket({ ratePerSec, burst, now: () => clockMs });
let tenants: Map<string, WebhookTenant>;
let produced: WebhookMessage[][];
let produceImpl: (messages: WebhookMessage[]) => Promise<void>;
const backpressure = { state: 'normal', shouldFetch: () => backpressure.state !== 'paused' && backpressure.state !== 'drain' };
const produceErrors: unknown[] = [];
/** Socket bytes read by the server when each response finished, by request path. */
const bytesReadAtResponse = new Map<string, number>();

let server: Server;
let base: string;

beforeAll(async () => {
  const webhook = createWebhook({
    get tenants() {
      return tenants;
    },
    produce: (messages) => produceImpl(messages),
    maxRecordBytes: MAX_RECORD,
    isKnownEntityType: (t) => t === 'customer' || t === 'order',
    backpressure,
    openapi: webhookOpenApi,
    now: () => RECEIVED,
    retryHintSeconds: 7,
    onProduceError: (err) => produceErrors.push(err),
  });
  server = http.createServer((req: IncomingMessage, res) => {
    res.on('finish', () => bytesReadAtResponse.set(req.url ?? '', req.socket.bytesRead));
    webhook
      .route(req, res)
      .then((handled) => {
        if (!handled) {
          res.writeHead(404);
          res.end();
        }
      })
      .catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);

beforeEach(() => {
  clockMs = 0;
  tenants = new Map([
    ['acme', { tokenSha256: tokenDigest(TOKENS.acme), bucket: bucket(100, 1000) }],
    ['globex', { tokenSha256: tokenDigest(TOKENS.globex), bucket: bucket(100, 1000) }],
    ['slow', { tokenSha256: tokenDigest(TOKENS.slow), bucket: bucket(2, 5) }],
  ]);
  produced = [];
  produceErrors.length = 0;
  produceImpl = async (messages) => {
    produced.push(messages);
  };
  backpressure.state = 'normal';
});

const record = (id: string, extra: Record<string, unknown> = {}) => ({ id, revision: 1, payload: { name: `n-${id}` }, ...extra });
const ndjson = (...records: unknown[]) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

interface PostOptions {
  token?: string | undefined;
  contentType?: string;
  headers?: Record<string, string>;
  method?: string;
}

function post(path: string, body: string | undefined, opts: PostOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/x-ndjson', ...opts.headers };
  const token = 'token' in opts ? opts.token : TOKENS.acme;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(base + path, { method: opts.method ?? 'POST', headers, ...(body === undefined ? {} : { body }) });
}

const value = (m: WebhookMessage) => JSON.parse(m.value.toString('utf8')) as Record<string, unknown>;

describe('202 Accepted', () => {
  it('writes one application/json record keyed tenant:entityType:id with the defaults filled', async () => {
    const res = await post('/ingest/acme/customer', JSON.stringify(record('c1')), { contentType: 'application/json' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, ids: ['c1'] });
    expect(produced).toHaveLength(1);
    const [message] = produced[0]!;
    expect(message!.key).toBe('acme:customer:c1');
    expect(value(message!)).toEqual({
      tenant: 'acme',
      source: 'webhook',
      entityType: 'customer',
      id: 'c1',
      revision: 1,
      occurredAt: RECEIVED.toISOString(),
      priority: 'normal',
      op: 'upsert',
      payload: { name: 'n-c1' },
      traceparent: message!.headers.traceparent,
    });
    expect(message!.headers['x-mesh-ingest-source']).toBe('webhook');
    expect(message!.headers['x-mesh-received-at']).toBe(RECEIVED.toISOString());
    expect(isValidTraceparent(message!.headers.traceparent)).toBe(true);
  });

  it('writes every NDJSON record in one produce call, in order', async () => {
    const res = await post(
      '/ingest/acme/order',
      `${ndjson(record('o1'), record('o2', { revision: '7', priority: 'high' }))}\n\n${ndjson(record('o3', { op: 'delete', payload: null }))}\n`,
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3, ids: ['o1', 'o2', 'o3'] });
    expect(produced).toHaveLength(1);
    expect(produced[0]!.map((m) => m.key)).toEqual(['acme:order:o1', 'acme:order:o2', 'acme:order:o3']);
    expect(produced[0]!.map((m) => [value(m).revision, value(m).priority, value(m).op])).toEqual([
      [1, 'normal', 'upsert'],
      [7, 'high', 'upsert'],
      [1, 'normal', 'delete'],
    ]);
  });

  it('continues the caller’s trace: a child span of the traceparent header, or of the record’s own', async () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    const res = await post('/ingest/acme/customer', ndjson(record('a'), record('b', { traceparent: own })), { headers: { traceparent: parent } });
    expect(res.status).toBe(202);
    const [a, b] = produced[0]!;
    expect(parseTraceparent(a!.headers.traceparent!)).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', flags: '01' });
    expect(a!.headers.traceparent).not.toBe(parent);
    expect(parseTraceparent(b!.headers.traceparent!)?.traceId).toBe('11111111111111111111111111111111');
    expect(value(b!).traceparent).toBe(b!.headers.traceparent);
  });

  it('answers only after produce resolved (the records are durable in Kafka)', async () => {
    let release!: () => void;
    const calls: WebhookMessage[][] = [];
    produceImpl = (messages) => {
      calls.push(messages);
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    let answered = false;
    const pending = post('/ingest/acme/customer', ndjson(record('d1'), record('d2'))).then((res) => {
      answered = true;
      return res;
    });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(answered).toBe(false);
    release();
    const res = await pending;
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, ids: ['d1', 'd2'] });
  });
});

describe('401 Unauthorized', () => {
  it('refuses a missing, wrong or other tenant’s token, and an unknown tenant, all alike', async () => {
    const attempts = [
      post('/ingest/acme/customer', ndjson(record('x')), { token: undefined }),
      post('/ingest/acme/customer', ndjson(record('x')), { token: 'acme-token-0123456788' }),
      post('/ingest/acme/customer', ndjson(record('x')), { token: TOKENS.globex }),
      post('/ingest/initech/customer', ndjson(record('x')), { token: TOKENS.acme }),
      post('/ingest/acme/customer', ndjson(record('x')), { token: undefined, headers: { authorization: `Basic ${TOKENS.acme}` } }),
    ];
    const responses = await Promise.all(attempts);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(bodies).size).toBe(1);
    expect(responses[3]!.headers.get('www-authenticate')).toBe('Bearer realm="ingest"');
    expect(produced).toEqual([]);
  });

  it('checks the token before anything about the request', async () => {
    const res = await post('/ingest/initech/nope', 'not json', { token: 'x', contentType: 'text/plain' });
    expect(res.status).toBe(401);
  });
});

describe('400 Bad Request', () => {
  it('names line 3 of an NDJSON body with a bad third record and writes none of them', async () => {
    const res = await post('/ingest/acme/customer', ndjson(record('a'), record('b'), { id: 'c', revision: 'three', payload: {} }, record('d')));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: unknown[]; errorCount: number };
    expect(body.errors).toEqual([{ line: 3, field: 'revision', problem: expect.stringMatching(/non-negative integer/) }]);
    expect(body.errorCount).toBe(1);
    expect(produced).toEqual([]);
  });

  it('gives field-level problems for invalid envelopes', async () => {
    const res = await post(
      '/ingest/acme/customer',
      ndjson(
        { revision: 1, payload: {} },
        record('b', { priority: 'urgent', op: 'merge' }),
        record('c', { payload: 'text' }),
        '{"id": "d",',
        record('e', { tenant: 'globex' }),
      ),
    );
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { line: number; field: string; problem: string }[] };
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [1, 'id'],
      [2, 'priority'],
      [2, 'op'],
      [3, 'payload'],
      [4, ''],
      [5, 'tenant'],
    ]);
    expect(errors[0]!.problem).toBe('required field missing');
    expect(errors[4]!.problem).toMatch(/^invalid JSON/);
    expect(produced).toEqual([]);
  });

  it('refuses a record nested far too deep (once a 500: re-serialising it overflowed the stack), and writes nothing', async () => {
    const deep = `{"id":"deep","revision":1,"payload":{"name":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const problem = 'the record nests deeper than 64 levels of objects and arrays (the limit)';
    const one = await post('/ingest/acme/customer', deep, { contentType: 'application/json' });
    expect(one.status).toBe(400);
    expect(await one.json()).toEqual({ error: '1 problem(s) in the records; nothing was accepted', errorCount: 1, errors: [{ field: '', problem }] });
    const many = await post('/ingest/acme/customer', ndjson(record('a'), deep));
    expect(many.status).toBe(400);
    expect(((await many.json()) as { errors: unknown[] }).errors).toEqual([{ line: 2, field: '', problem }]);
    expect(produced).toEqual([]);
  });

  it('refuses a payload number that is not finite instead of writing it as null, naming the field', async () => {
    const res = await post('/ingest/acme/customer', '{"id":"inf","revision":1,"payload":{"name":"n","balance":1e400}}', { contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([
      { field: 'payload.balance', problem: 'expected a finite number, got Infinity (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it' },
    ]);
    expect(produced).toEqual([]);
  });

  it('refuses a JSON body that is not one object, and an empty body', async () => {
    const array = await post('/ingest/acme/customer', JSON.stringify([record('a')]), { contentType: 'application/json' });
    expect(array.status).toBe(400);
    expect(((await array.json()) as { errors: { problem: string }[] }).errors[0]!.problem).toMatch(/expected a JSON object/);
    expect((await post('/ingest/acme/customer', '')).status).toBe(400);
  });

  it('refuses an entity type the router does not know, before reading the body', async () => {
    const res = await post('/ingest/acme/invoice', ndjson(record('a')));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'unknown entity type', errors: [{ field: 'entityType', problem: 'unknown entity type "invoice"' }] });
  });

  it('refuses a path that is not valid percent-encoding', async () => {
    expect((await post('/ingest/acme/%E0%A4%A', ndjson(record('a')))).status).toBe(400);
  });
});

describe('415 Unsupported Media Type', () => {
  it('refuses other content types and charsets', async () => {
    for (const contentType of ['text/plain', 'application/xml', 'application/json; charset=iso-8859-1']) {
      expect((await post('/ingest/acme/customer', JSON.stringify(record('a')), { contentType })).status).toBe(415);
    }
    expect(produced).toEqual([]);
  });
});

describe('413 Content Too Large', () => {
  const sixMegabytes = 6 * 1000 * 1000;

  function streamBody(path: string, total: number, declareLength: boolean): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKENS.acme}` };
      if (declareLength) headers['content-length'] = total;
      const req = http.request(`${base}${path}`, { method: 'POST', headers });
      let settled = false;
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          settled = true;
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      // Writing on after the server gave up may fail (EPIPE/ECONNRESET); only the answer matters.
      req.on('error', (err) => {
        if (!settled) setTimeout(() => (settled ? undefined : reject(err)), 1000);
      });
      const line = Buffer.from(`${JSON.stringify(record('r', { payload: { pad: 'x'.repeat(900) } }))}\n`);
      let written = 0;
      const pump = (): void => {
        while (written < total && !req.destroyed) {
          const chunk = line.subarray(0, Math.min(line.length, total - written));
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
  }

  it('stops reading a 6 MB streamed body past 5 MiB and answers 413', async () => {
    const res = await streamBody('/ingest/acme/customer?streamed', sixMegabytes, false);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: `body over ${5 * 1024 * 1024} bytes; split it into several requests` });
    const read = bytesReadAtResponse.get('/ingest/acme/customer?streamed')!;
    expect(read).toBeGreaterThan(5 * 1024 * 1024);
    expect(read).toBeLessThan(5 * 1024 * 1024 + 256 * 1024);
    expect(produced).toEqual([]);
  });

  it('refuses a declared 6 MB Content-Length before reading the body', async () => {
    const res = await streamBody('/ingest/acme/customer?declared', sixMegabytes, true);
    expect(res.status).toBe(413);
    expect(bytesReadAtResponse.get('/ingest/acme/customer?declared')!).toBeLessThan(sixMegabytes / 4);
    expect(produced).toEqual([]);
  });

  it('refuses a record over maxRecordBytes, naming its NDJSON line', async () => {
    const big = record('big', { payload: { pad: 'x'.repeat(MAX_RECORD) } });
    const res = await post('/ingest/acme/customer', ndjson(record('a'), big));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ line: 2, error: expect.stringMatching(/line 2 .* the limit is 65536/) });
    const single = await post('/ingest/acme/customer', JSON.stringify(big), { contentType: 'application/json' });
    expect(single.status).toBe(413);
    expect(produced).toEqual([]);
  });

  it('refuses more records in one request than the tenant’s burst', async () => {
    const res = await post('/ingest/slow/customer', ndjson(...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => record(id))), { token: TOKENS.slow });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/exceed tenant slow's burst of 5/);
  });
});

describe('429 Too Many Requests', () => {
  it('holds intake while backpressure is paused or draining, with the fixed Retry-After hint', async () => {
    for (const state of ['paused', 'drain']) {
      backpressure.state = state;
      const res = await post('/ingest/acme/customer', ndjson(record('a')));
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(((await res.json()) as { error: string }).error).toContain(state);
    }
    backpressure.state = 'throttled';
    expect((await post('/ingest/acme/customer', ndjson(record('a')))).status).toBe(202);
    expect(produced).toHaveLength(1);
  });

  it('limits each tenant by its token bucket, with Retry-After from msUntilAvailable', async () => {
    const slow = (...ids: string[]) => post('/ingest/slow/customer', ndjson(...ids.map((id) => record(id))), { token: TOKENS.slow });
    expect((await slow('a', 'b', 'c', 'd')).status).toBe(202); // 1 token left of 5, 2 per second
    const four = await slow('e', 'f', 'g', 'h'); // 3 short: 1500 ms
    expect(four.status).toBe(429);
    expect(four.headers.get('retry-after')).toBe('2');
    expect((await slow('i')).status).toBe(202); // the last token
    const empty = await slow('j'); // refused before reading the body: 500 ms
    expect(empty.status).toBe(429);
    expect(empty.headers.get('retry-after')).toBe('1');
    // other tenants are not affected
    expect((await post('/ingest/acme/customer', ndjson(record('x')))).status).toBe(202);
    clockMs += 2000;
    expect((await slow('e', 'f', 'g', 'h')).status).toBe(202);
    expect(produced.map((batch) => batch.length)).toEqual([4, 1, 1, 4]);
  });
});

describe('503 Service Unavailable', () => {
  it('answers 503 with Retry-After when produce fails, and reports the error', async () => {
    const failure = new Error('Broker: not enough replicas');
    produceImpl = () => Promise.reject(failure);
    const res = await post('/ingest/acme/customer', ndjson(record('a'), record('b')));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { error: string }).error).toMatch(/Retry the whole request/);
    expect(produceErrors).toEqual([failure]);
  });
});

describe('routing', () => {
  it('405s other methods on the ingest path and falls through for other paths', async () => {
    const get = await fetch(`${base}/ingest/acme/customer`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${base}/ingest/acme`)).status).toBe(404);
    expect((await fetch(`${base}/health/live`)).status).toBe(404);
  });

  it('serves the OpenAPI document at GET /openapi.json', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/ingest/{tenant}/{entityType}', '/openapi.json']);
    expect((await fetch(`${base}/openapi.json`, { method: 'POST' })).status).toBe(405);
  });
});
