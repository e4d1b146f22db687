import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED_FIELD } from './logger.js';

/** An in-memory pino destination: every line written, as text. */
function memoryDestination(): { lines: string[]; write(chunk: string): void } {
  const lines: string[] = [];
  return { lines, write: (chunk: string) => void lines.push(chunk) };
}

const SECRETS = ['s3cr3t-pw', 'tok-123456', 'Bearer abc.def.ghi', 'db-pa55', 'redis-pa55', 'ctl-secret-0123456789'];

function expectNoSecret(lines: readonly string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) for (const secret of SECRETS) expect(line).not.toContain(secret);
}

describe('createLogger', () => {
  it('writes JSON lines with app, instance, pid, an ISO time and a level label', () => {
    const dest = memoryDestination();
    createLogger({ app: 'sink-postgres', instance: 'pod-1', destination: dest }).info({ batch: 3 }, 'batch done');
    const line = JSON.parse(dest.lines[0]!);
    expect(line).toMatchObject({ app: 'sink-postgres', instance: 'pod-1', pid: process.pid, level: 'info', batch: 3, msg: 'batch done' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('censors secret-named fields at the top level, one level down and in request headers', () => {
    const dest = memoryDestination();
    const log = createLogger({ app: 't', destination: dest });
    log.info({ password: 's3cr3t-pw', config: { token: 'tok-123456', user: 'mesh' } }, 'config');
    log.info({ req: { method: 'POST', headers: { authorization: 'Bearer abc.def.ghi', 'x-admin-token': 'tok-123456' } } }, 'admin call');
    log.info({ env: { MESH_CONTROL_SECRET: 'ctl-secret-0123456789' } }, 'env');
    expectNoSecret(dest.lines);
    const [first, second] = dest.lines.map((l) => JSON.parse(l));
    expect(first.password).toBe(REDACTED_FIELD);
    expect(first.config).toEqual({ token: REDACTED_FIELD, user: 'mesh' });
    expect(second.req.headers.authorization).toBe(REDACTED_FIELD);
    expect(second.req.method).toBe('POST');
  });

  it('never logs a connection-string password: field, nested field, message, error, child binding', () => {
    const dest = memoryDestination();
    const log = createLogger({ app: 't', destination: dest });
    const databaseUrl = 'postgres://mesh:db-pa55@127.0.0.1:5432/mesh';
    const redisUrl = 'redis://:redis-pa55@127.0.0.1:6379';
    log.info({ databaseUrl, sinks: [{ url: redisUrl }] }, 'starting');
    log.warn(`cannot reach ${databaseUrl}`);
    log.error({ err: new Error(`connect ECONNREFUSED ${redisUrl}`) }, 'redis down');
    log.child({ DATABASE_URL: databaseUrl }).info('child');
    expectNoSecret(dest.lines);
    const [starting, warning] = dest.lines.map((l) => JSON.parse(l));
    expect(starting.databaseUrl).toBe('postgres://mesh:***@127.0.0.1:5432/mesh');
    expect(starting.sinks[0].url).toBe('redis://:***@127.0.0.1:6379');
    expect(warning.msg).toBe('cannot reach postgres://mesh:***@127.0.0.1:5432/mesh');
  });

  it('accepts extra redaction paths and any writable stream', async () => {
    const chunks: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _enc, done) => void (chunks.push(chunk.toString()), done()) });
    createLogger({ app: 't', destination: stream, redact: ['tenantKey'] }).info({ tenantKey: 'tok-123456' }, 'x');
    await new Promise((resolve) => setImmediate(resolve));
    expectNoSecret(chunks);
    expect(JSON.parse(chunks[0]!).tenantKey).toBe(REDACTED_FIELD);
  });

  it('honours the level', () => {
    const dest = memoryDestination();
    const log = createLogger({ app: 't', level: 'warn', destination: dest });
    log.info('hidden');
    log.warn('shown');
    expect(dest.lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});
