// The app's HTTP surface: health for Kubernetes probes, /metrics for Prometheus, and the
// token-protected admin endpoints operators use from runbooks (drain, resume, brownout, pause).
import { timingSafeEqual, createHash, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@ingest-mesh/telemetry';

export type AdminAction = { type: 'drain' } | { type: 'resume' } | { type: 'pause' } | { type: 'brownout'; sampleRate: number };

export interface HttpSurface {
  live(): boolean;
  ready(): boolean;
  detailed(): Promise<Record<string, unknown>>;
  metrics(req: IncomingMessage, res: ServerResponse): void;
  admin(action: AdminAction): Promise<Record<string, unknown>>;
  /** Extra routes an app mounts (e.g. the router's webhook); return false to fall through to 404. */
  route?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  adminToken: string;
  surface: HttpSurface;
  /**
   * Where an error no handler answered is logged (with its request id, method and path); the
   * client only gets a generic 500 naming the request id. Default: a logger of its own.
   */
  logger?: Pick<Logger, 'error'>;
}

/** Header carrying the request id of a 500 (the caller's own when well-formed, else a new UUID). */
export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const expected = digest(opts.adminToken);
  let logger = opts.logger;
  const server = http.createServer((req, res) => {
    handle(req, res, opts.surface, expected).catch((err: unknown) => {
      // The error stays here, in the log: its message may name internals (hosts, queries, paths).
      const requestId = requestIdOf(req);
      if (res.headersSent) res.destroy();
      else json(res, 500, { error: 'internal error', requestId }, { [REQUEST_ID_HEADER]: requestId, ...(req.complete ? {} : { connection: 'close' }) });
      try {
        logger ??= createLogger({ app: 'http-server' });
        logger.error({ err, requestId, method: req.method, path: pathOf(req) }, 'HTTP request failed with an unexpected error');
      } catch {
        // A failing logger must not turn one failed request into an unhandled rejection.
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, surface: HttpSurface, expectedToken: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/health/live') return json(res, surface.live() ? 200 : 503, { status: surface.live() ? 'live' : 'dead' });
  if (req.method === 'GET' && path === '/health/ready') return json(res, surface.ready() ? 200 : 503, { status: surface.ready() ? 'ready' : 'not-ready' });
  if (req.method === 'GET' && path === '/health/detailed') return json(res, 200, await surface.detailed());
  if (req.method === 'GET' && path === '/metrics') return surface.metrics(req, res);
  if (path.startsWith('/admin/')) {
    if (req.method !== 'POST') return json(res, 405, { error: 'admin endpoints take POST' });
    if (!authorised(req, expectedToken)) return json(res, 401, { error: 'missing or wrong bearer token (Authorization: Bearer <MESH_ADMIN_TOKEN>)' });
    const action = adminAction(path, url.searchParams);
    if ('error' in action) return json(res, action.status, { error: action.error });
    return json(res, 200, await surface.admin(action));
  }
  if (surface.route && (await surface.route(req, res))) return;
  json(res, 404, { error: `no route for ${req.method} ${path}` });
}

function adminAction(path: string, params: URLSearchParams): AdminAction | { error: string; status: number } {
  switch (path) {
    case '/admin/drain':
      return { type: 'drain' };
    case '/admin/resume':
      return { type: 'resume' };
    case '/admin/pause':
      return { type: 'pause' };
    case '/admin/brownout': {
      const raw = params.get('rate');
      const rate = raw === null ? NaN : Number(raw);
      if (!(rate > 0 && rate <= 1)) return { error: 'brownout needs ?rate= a number in (0, 1]: the share of low-priority records to defer', status: 400 };
      return { type: 'brownout', sampleRate: rate };
    }
    default:
      return { error: `unknown admin action ${path}`, status: 404 };
  }
}

// Compare digests, not raw strings: equal lengths for timingSafeEqual, no early exit.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function authorised(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!.trim()), expected);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname; // no query string: it may carry secrets
  } catch {
    return '(unparseable)';
  }
}
