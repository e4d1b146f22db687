// The HTTP surface on a real loopback socket, with the app state behind it faked (pure routing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type AdminAction, type RunningHttpServer } from './http-server.js';

const token = 'admin-token-0123456789';
const actions: AdminAction[] = [];
/** What a failing route throws: internals a client must never see. */
const INTERNAL = 'connect ECONNREFUSED 10.0.3.7:5432 (user mesh_owner, /srv/mesh/secrets/pg.env)';
const logged: { fields: Record<string, unknown>; msg: string }[] = [];
let ready = true;
let server: RunningHttpServer;
let base: string;

beforeAll(async () => {
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    adminToken: token,
    surface: {
      live: () => true,
      ready: () => ready,
      detailed: async () => ({ app: 'probe', backpressure: 'normal' }),
      metrics: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ingest_records_total{app="probe",outcome="written"} 1\n');
      },
      admin: async (action) => {
        actions.push(action);
        return { state: action.type };
      },
      route: async (req) => {
        if (!req.url?.startsWith('/boom')) return false;
        throw new Error(INTERNAL);
      },
    },
    logger: { error: (fields: Record<string, unknown>, msg: string) => void logged.push({ fields, msg }) } as never,
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

const post = (path: string, auth?: string) => fetch(base + path, { method: 'POST', headers: auth ? { authorization: auth } : {} });

describe('health and metrics', () => {
  it('answers live, ready and detailed', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    ready = false;
    const notReady = await fetch(`${base}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not-ready' });
    ready = true;
    expect(await (await fetch(`${base}/health/detailed`)).json()).toEqual({ app: 'probe', backpressure: 'normal' });
  });

  it('serves the metrics text', async () => {
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('ingest_records_total{app="probe",outcome="written"} 1');
  });

  it('404s unknown routes', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe('admin endpoints', () => {
  it('refuse a missing or wrong token and act on none', async () => {
    const before = actions.length;
    expect((await post('/admin/drain')).status).toBe(401);
    expect((await post('/admin/drain', 'Bearer wrong-token')).status).toBe(401);
    expect((await post('/admin/drain', token)).status).toBe(401);
    expect(actions.length).toBe(before);
  });

  it('act with the right token', async () => {
    const res = await post('/admin/drain', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ state: 'drain' });
    expect((await post('/admin/resume', `Bearer ${token}`)).status).toBe(200);
    expect((await post('/admin/pause', `Bearer ${token}`)).status).toBe(200);
    expect((await post('/admin/brownout?rate=0.25', `Bearer ${token}`)).status).toBe(200);
    expect(actions.slice(-4)).toEqual([{ type: 'drain' }, { type: 'resume' }, { type: 'pause' }, { type: 'brownout', sampleRate: 0.25 }]);
  });

  it('reject a brownout without a valid rate and GET on admin routes', async () => {
    const res = await post('/admin/brownout?rate=2', `Bearer ${token}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/rate= a number in \(0, 1\]/);
    expect((await fetch(`${base}/admin/drain`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });
});

describe('unexpected errors', () => {
  it('answer 500 with a generic body and a request id, and log the error with that id (never echo its message)', async () => {
    logged.length = 0;
    const res = await fetch(`${base}/boom?x=1`, { method: 'POST', body: 'anything' });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('10.0.3.7');
    expect(text).not.toContain('secrets');
    const body = JSON.parse(text) as { error: string; requestId: string };
    expect(body).toEqual({ error: 'internal error', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(res.headers.get('x-request-id')).toBe(body.requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toBe('HTTP request failed with an unexpected error');
    expect(logged[0]!.fields).toMatchObject({ requestId: body.requestId, method: 'POST', path: '/boom' });
    expect((logged[0]!.fields.err as Error).message).toBe(INTERNAL);
  });

  it("keep the caller's well-formed x-request-id, and replace one that is not", async () => {
    const kept = await fetch(`${base}/boom`, { headers: { 'x-request-id': 'req-42.abc' } });
    expect(await kept.json()).toEqual({ error: 'internal error', requestId: 'req-42.abc' });
    const replaced = await fetch(`${base}/boom`, { headers: { 'x-request-id': `bad id ${'x'.repeat(200)}` } });
    const body = (await replaced.json()) as { requestId: string };
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(logged.at(-1)!.fields.requestId).toBe(body.requestId);
  });
});
