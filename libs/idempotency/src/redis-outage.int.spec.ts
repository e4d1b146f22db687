// RedisIdempotencyStore when Redis is not there: nothing listening (fail-closed vs fail-open), and a
// scratch redis-server of our own (AOF, appendfsync always) that we SIGKILL and restart, or
// freeze with SIGSTOP, in the middle of batches. The stack's Redis is never touched here.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IdempotencyUnavailableError } from './errors.js';
import { createRedisClient, waitUntilReady } from './redis-client.js';
import { RedisIdempotencyStore } from './redis-idempotency-store.js';
import { freePort } from '@ingest-mesh/testing';

const keysOf = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port nothing listens on (bound by the OS, then released). */

/** Settles within `ms` or fails the test: proves a call fails fast instead of hanging. */
async function settledWithin<T>(ms: number, promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.allSettled([promise]).then(([result]) => result!), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function rejectionOf<T>(result: PromiseSettledResult<T>): unknown {
  expect(result.status).toBe('rejected');
  return (result as PromiseRejectedResult).reason;
}

describe('Redis unreachable (nothing listens on the port)', () => {
  let url: string;
  const connectionErrors: Error[] = [];
  const clients: Redis[] = [];

  beforeAll(async () => {
    url = `redis://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  function client(): Redis {
    const redis = createRedisClient(url, { connectTimeoutMs: 500, commandTimeoutMs: 500, onError: (err) => connectionErrors.push(err) });
    clients.push(redis);
    return redis;
  }

  it('fail-closed (the default): reserve, commit and release throw IdempotencyUnavailableError at once', async () => {
    const store = new RedisIdempotencyStore({ redis: client(), closeClient: false });
    for (const [operation, call] of [
      ['reserve', () => store.reserve(['a', 'b'])],
      ['commit', () => store.commit(['a', 'b'])],
      ['release', () => store.release(['a', 'b'])],
    ] as [string, () => Promise<unknown>][]) {
      const error = rejectionOf(await settledWithin(1_000, call()));
      expect(error).toBeInstanceOf(IdempotencyUnavailableError);
      expect(error).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true, operation, keyCount: 2 });
    }
    // The refused connections reach onError instead of ioredis' "Unhandled error event" output.
    await vi.waitFor(() => expect(connectionErrors.some((err) => /ECONNREFUSED/.test(err.message))).toBe(true));
  });

  it('fail-open: reserve says reserved for every key, commit and release report and carry on', async () => {
    const degraded: IdempotencyUnavailableError[] = [];
    const store = new RedisIdempotencyStore({ redis: client(), whenRedisDown: 'fail-open', onDegraded: (err) => degraded.push(err), closeClient: false });
    expect(await store.reserve(['a', 'b', 'a'])).toEqual(['reserved', 'reserved', 'reserved']);
    await store.commit(['a', 'b']);
    await store.release(['c']);
    expect(degraded.map((err) => [err.operation, err.keyCount, err.code])).toEqual([
      ['reserve', 2, 'CONNECTION_ERROR'],
      ['commit', 2, 'CONNECTION_ERROR'],
      ['release', 1, 'CONNECTION_ERROR'],
    ]);
    // Asking for facts is never answered with a guess.
    await expect(store.commitDetailed(['a'])).rejects.toBeInstanceOf(IdempotencyUnavailableError);
  });

  it('why createRedisClient exists: a stock ioredis client is still waiting after 1.5 s', async () => {
    const stock = new Redis(url);
    stock.on('error', () => undefined);
    const pending = stock.pipeline().get('k').exec();
    const result = await Promise.race([
      pending.then(
        () => 'settled',
        () => 'settled',
      ),
      sleep(1_500).then(() => 'pending'),
    ]);
    // Disconnecting between reconnect attempts does not even flush its offline queue: left pending.
    stock.disconnect();
    expect(result).toBe('pending');
  });
});

/** A redis-server we own: loopback, AOF with fsync on every write, data in a temp dir. */
class ScratchRedis {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<ScratchRedis> {
    const server = new ScratchRedis(await freePort(), await mkdtemp(path.join(tmpdir(), 'idempotency-redis-')));
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server on the same port and dir and waits until it answers (AOF loaded). */
  async restart(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--daemonize',
      'no',
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.process = child;
    const probe = new Redis(this.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    probe.on('error', () => undefined);
    try {
      await probe.connect().catch(() => undefined);
      await waitUntilReady(probe, 10_000);
    } finally {
      probe.disconnect();
    }
  }

  async kill9(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT'); // in case it is frozen
    child.kill('SIGKILL');
    await exited;
  }

  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.process?.kill(signal);
  }

  async destroy(): Promise<void> {
    await this.kill9();
    await rm(this.dir, { recursive: true, force: true });
  }
}

describe('scratch Redis killed (-9) and restarted mid-batch', () => {
  let server: ScratchRedis;
  let redis: Redis;
  let store: RedisIdempotencyStore;
  let observer: RedisIdempotencyStore;

  beforeAll(async () => {
    server = await ScratchRedis.start();
    redis = createRedisClient(server.url, { connectTimeoutMs: 500, commandTimeoutMs: 1_000, maxReconnectDelayMs: 200, onError: () => undefined });
    await waitUntilReady(redis);
    store = new RedisIdempotencyStore({ redis, prefix: 'restart:', closeClient: false });
    const observerClient = createRedisClient(server.url, { maxReconnectDelayMs: 200, onError: () => undefined });
    observer = new RedisIdempotencyStore({ redis: observerClient, prefix: 'restart:' }); // another owner
  });

  afterAll(async () => {
    await observer?.close();
    redis?.disconnect();
    await server?.destroy();
  });

  it('keeps committed keys, fails closed while down, and completes the batch after restart exactly once', async () => {
    const batchA = keysOf(200, 'a');
    const batchB = keysOf(200, 'b');
    const batchC = keysOf(50, 'c');
    expect(await store.reserve(batchA)).toEqual(batchA.map(() => 'reserved'));
    expect(await store.commitDetailed(batchA)).toEqual(batchA.map(() => 'committed'));
    expect(await store.reserve(batchB)).toEqual(batchB.map(() => 'reserved')); // batch B is being processed…

    await server.kill9(); // …when Redis dies

    const commitB = rejectionOf(await settledWithin(2_000, store.commit(batchB)));
    expect(commitB).toMatchObject({ name: 'IdempotencyUnavailableError', code: 'CONNECTION_ERROR', retryable: true, operation: 'commit' });
    const reserveC = rejectionOf(await settledWithin(2_000, store.reserve(batchC)));
    expect(reserveC).toMatchObject({ name: 'IdempotencyUnavailableError', operation: 'reserve' });

    await server.restart();
    await waitUntilReady(redis, 10_000);

    // Batch A survived kill -9 (acknowledged writes were fsynced to the AOF).
    expect(await store.reserve(batchA)).toEqual(batchA.map(() => 'duplicate'));
    // Batch B's reservations survived too, and are still ours: the retried round takes them back.
    expect(await observer.reserve(batchB)).toEqual(batchB.map(() => 'in-flight'));
    expect(await store.reserve(batchB)).toEqual(batchB.map(() => 'reserved'));
    // The failed commit wrote nothing: every key of B is committed now, for the first time…
    expect(await store.commitDetailed(batchB)).toEqual(batchB.map(() => 'committed'));
    // …and only once.
    expect(await store.commitDetailed(batchB)).toEqual(batchB.map(() => 'already-committed'));
    // The reserve that failed while Redis was down succeeds now.
    expect(await store.reserve(batchC)).toEqual(batchC.map(() => 'reserved'));
    expect(await store.commitDetailed(batchC)).toEqual(batchC.map(() => 'committed'));

    // No key lost, none extra: exactly A ∪ B ∪ C, all committed, as another owner sees them.
    const all = [...batchA, ...batchB, ...batchC];
    expect(await observer.reserve(all)).toEqual(all.map(() => 'duplicate'));
    expect((await redis.keys('restart:*')).length).toBe(all.length);
  });

  it('a kill -9 while a commit pipeline is executing: the retried commit completes every key exactly once', async () => {
    // Its own client: 20 000 fsync-always script calls take longer than the 1 s commandTimeout above.
    const bulkClient = createRedisClient(server.url, { commandTimeoutMs: 15_000, maxReconnectDelayMs: 200, onError: () => undefined });
    const bulk = new RedisIdempotencyStore({ redis: bulkClient, prefix: 'restart:' });
    try {
      await waitUntilReady(bulkClient);
      const batch = keysOf(20_000, 'mid');
      const started = Date.now();
      expect((await bulk.reserve(batch)).every((outcome) => outcome === 'reserved')).toBe(true);
      const reserveMs = Date.now() - started;
      const commit = settledWithin(5_000, bulk.commitDetailed(batch));
      await sleep(15); // Redis is now working through 20 000 script calls, fsyncing as it goes
      await server.kill9();
      const first = await commit;
      await server.restart();
      await waitUntilReady(bulkClient, 10_000);

      const retried = await bulk.commitDetailed(batch);
      const before = first.status === 'fulfilled' ? batch.length : retried.filter((o) => o === 'already-committed').length;
      console.info(
        `[idempotency] 20000-key reserve on fsync-always Redis took ${reserveMs} ms; kill -9 during the commit: ` +
          `first call ${first.status}, ${before} keys durable before the crash, ${batch.length - before} committed by the retry`,
      );
      // Each key is committed by exactly one of the two calls: durably before the crash, or now.
      expect(retried.every((o) => o === 'committed' || o === 'already-committed')).toBe(true);
      if (first.status === 'rejected') expect(first.reason).toBeInstanceOf(IdempotencyUnavailableError);
      expect(await observer.reserve(batch)).toEqual(batch.map(() => 'duplicate'));
      expect((await bulkClient.keys('restart:mid-*')).length).toBe(batch.length);
    } finally {
      await bulk.close();
    }
    await waitUntilReady(redis, 10_000); // the shared client reconnects too
  });

  it('a frozen Redis (SIGSTOP) fails closed within the command timeout instead of hanging', async () => {
    server.signal('SIGSTOP');
    try {
      const started = Date.now();
      const error = rejectionOf(await settledWithin(3_000, store.reserve(['frozen'])));
      expect(error).toBeInstanceOf(IdempotencyUnavailableError);
      expect(String((error as Error).cause)).toMatch(/timed out/i);
      console.info(`[idempotency] frozen Redis: reserve failed closed after ${Date.now() - started} ms (commandTimeout 1000 ms)`);
    } finally {
      server.signal('SIGCONT');
    }
    await waitUntilReady(redis, 10_000);
    // The timed-out reserve may still have run once Redis woke up; it was ours, so it is ours again.
    expect(await store.reserve(['frozen'])).toEqual(['reserved']);
  });
});
