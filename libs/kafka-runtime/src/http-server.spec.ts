// The HTTP surface on a real loopback socket, with the app state behind it faked (pure routing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type AdminAction, type RunningHttpServer } from './http-server.js';

const token = 'admin-token-0123456789';
const actions: AdminAction[] = [];
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
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

const post = (path: string, auth?: string) =>
  fetch(base + path, { method: 'POST', headers: auth ? { authorization: auth } : {} });

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
