// stack.sh's failure paths and ownership rules, each in a scratch MESH_STACK_HOME on free
// loopback ports, so the stack the other tests use is never touched.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, requireVersion, stackVersions } from '@ingest-mesh/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

const stackSh = path.resolve(import.meta.dirname, '../stack.sh');
const homes: string[] = [];
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

function scratchHome(): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mesh-stack-'));
  chmodSync(home, 0o755); // the postgres OS user must reach its data dir inside
  homes.push(home);
  return home;
}

function stack(home: string, env: Record<string, string>, ...args: string[]) {
  const res = spawnSync('bash', [stackSh, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MESH_STACK_HOME: home, ...env },
    timeout: 120_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function occupiedPort(): Promise<number> {
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // the probe hangs up without reading
    socket.end('not redis\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

afterEach(async () => {
  for (const home of homes.splice(0)) {
    stack(home, {}, 'down');
    rmSync(home, { recursive: true, force: true });
  }
  for (const socket of sockets) socket.destroy();
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

describe('stack.sh up', () => {
  it('names the component and the variable in one line when its port is taken by something else', async () => {
    const home = scratchHome();
    const port = await occupiedPort();
    const res = stack(home, { REDIS_URL: `redis://127.0.0.1:${port}` }, 'up', 'redis');
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      `stack: redis: port ${port} is taken by something that is not a healthy redis; stop it or point REDIS_URL elsewhere`,
    ]);
    expect(existsSync(path.join(home, 'run', 'redis.pid'))).toBe(false);
  });

  it('stops what it started in the same run when a later component fails', async () => {
    const home = scratchHome();
    const pgPort = await freePort();
    const redisPort = await occupiedPort();
    const res = stack(
      home,
      { DATABASE_URL: `postgres://mesh@127.0.0.1:${pgPort}/mesh`, REDIS_URL: `redis://127.0.0.1:${redisPort}` },
      'up',
      'postgres',
      'redis',
    );
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(`stack: postgres: started (postgres://mesh@127.0.0.1:${pgPort}/mesh)`);
    expect(res.stderr).toContain(`stack: redis: port ${redisPort} is taken`);
    expect(res.stderr).toContain('stack: stopped postgres again (started by this run)');
    expect(await listening(pgPort)).toBe(false);
    expect(existsSync(path.join(home, 'run', 'postgres.pid'))).toBe(false);
  });

  it('is idempotent, runs Redis with an append-only file, and down stops only what it started', async () => {
    const home = scratchHome();
    const port = await freePort();
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    const first = stack(home, env, 'up', 'redis');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`stack: redis: started (redis://127.0.0.1:${port})`);
    const again = stack(home, env, 'up', 'redis');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`stack: redis: running (redis://127.0.0.1:${port})`);

    const redis = new Redis(env.REDIS_URL);
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    await redis.quit();

    // A second home sees that Redis as external: it uses it and its `down` leaves it running.
    const other = scratchHome();
    const external = stack(other, env, 'up', 'redis');
    expect(external.stdout).toContain(`stack: redis: using the one already at redis://127.0.0.1:${port}`);
    expect(stack(other, env, 'down').status).toBe(0);
    expect(await listening(port)).toBe(true);

    const down = stack(home, env, 'down');
    expect(down.stdout).toContain('stack: redis: stopped');
    expect(await listening(port)).toBe(false);
  });
});

describe('stack.sh up, missing prerequisites', () => {
  it('says which Java the component needs when none new enough is found', async () => {
    const home = scratchHome();
    const port = await freePort();
    // Only the default `java` on PATH (17) is visible: no JAVA_HOME, no JDK directory.
    const res = stack(home, { SEARCH_URL: `http://127.0.0.1:${port}`, MESH_JVM_DIR: path.join(home, 'no-jvms'), JAVA_HOME: '' }, 'up', 'search');
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^stack: search: OpenSearch \S+ needs Java 21 or newer and none was found; install a JDK under \/usr\/lib\/jvm or set OPENSEARCH_JAVA_HOME$/,
      ),
    ]);
  });

  it('names the artifact and the log when Maven Central cannot be reached', async () => {
    const home = scratchHome();
    const port = await freePort();
    // An empty local repository and a proxy on a closed port: Maven can download nothing.
    const unreachable = `-Dmaven.repo.local=${path.join(home, 'm2')} -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=9 -Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=9`;
    const res = stack(home, { SEARCH_URL: `http://127.0.0.1:${port}`, MAVEN_OPTS: unreachable }, 'up', 'search');
    const version = requireVersion(stackVersions(), 'OPENSEARCH_VERSION');
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      `stack: search: could not download org.opensearch.distribution.integ-test-zip:opensearch:${version}:zip from Maven Central; see ${home}/logs/search.fetch.log`,
    ]);
    expect(existsSync(path.join(home, 'run', 'search.pid'))).toBe(false);
  });
});

describe('stack.sh status', () => {
  it('exits non-zero and says down for a component that is not running', async () => {
    const home = scratchHome();
    const port = await freePort();
    const res = stack(home, { REDIS_URL: `redis://127.0.0.1:${port}` }, 'status');
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(new RegExp(`^redis +redis://127\\.0\\.0\\.1:${port} +down$`, 'm'));
  });
});
