// RedisIdempotencyStore against the real Redis of the stack (REDIS_URL). Every test uses its own
// key prefix, so runs and parallel users of the same Redis never see each other's keys.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { stackEndpoints } from '@ingest-mesh/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, waitUntilReady } from './redis-client.js';
import { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from './redis-idempotency-store.js';

const { REDIS_URL } = stackEndpoints();

let admin: Redis;
const opened: RedisIdempotencyStore[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  admin = createRedisClient(REDIS_URL, { connectionName: 'idempotency-int-admin' });
  await waitUntilReady(admin);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  for (const prefix of prefixes.splice(0)) {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
});

afterAll(async () => {
  await admin.quit();
});

function newPrefix(): string {
  const prefix = `test:idempotency:${randomUUID()}:`;
  prefixes.push(prefix);
  return prefix;
}

/** A store on its own connection; stores of one test share `prefix` and differ in owner. */
async function openStore(prefix: string, opts: Partial<RedisIdempotencyStoreOptions> = {}): Promise<RedisIdempotencyStore> {
  const redis = createRedisClient(REDIS_URL, { connectionName: 'idempotency-int' });
  await waitUntilReady(redis);
  const store = new RedisIdempotencyStore({ redis, prefix, ...opts });
  opened.push(store);
  return store;
}

function keysOf(n: number, tag = 'k'): string[] {
  return Array.from({ length: n }, (_, i) => `${tag}-${i}`);
}

describe('RedisIdempotencyStore on real Redis', () => {
  it('reserve → commit → reserve again gives duplicate, for us and for any other owner', async () => {
    const prefix = newPrefix();
    const [a, b] = [await openStore(prefix), await openStore(prefix)];
    const keys = keysOf(3);
    expect(await a.reserve(keys)).toEqual(['reserved', 'reserved', 'reserved']);
    await a.commit(keys);
    expect(await a.reserve(keys)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await b.reserve(keys)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await admin.mget(keys.map((k) => prefix + k))).toEqual(['d', 'd', 'd']);
  });

  it('release makes a key reservable again, by anyone', async () => {
    const prefix = newPrefix();
    const [a, b] = [await openStore(prefix), await openStore(prefix)];
    expect(await a.reserve(['x', 'y'])).toEqual(['reserved', 'reserved']);
    await a.release(['x']);
    expect(await admin.exists(prefix + 'x')).toBe(0);
    expect(await b.reserve(['x', 'y'])).toEqual(['reserved', 'in-flight']);
  });

  it("release never removes another owner's reservation or a committed key", async () => {
    const prefix = newPrefix();
    const [a, b] = [await openStore(prefix), await openStore(prefix)];
    expect(await a.reserve(['theirs', 'done'])).toEqual(['reserved', 'reserved']);
    await a.commit(['done']);
    await b.release(['theirs', 'done']);
    expect(await admin.get(prefix + 'theirs')).toBe(`r:${a.owner}`);
    expect(await admin.get(prefix + 'done')).toBe('d');
    expect(await b.reserve(['theirs', 'done'])).toEqual(['in-flight', 'duplicate']);
  });

  it("another owner's live reservation is in-flight; our own is ours again (renewed)", async () => {
    const prefix = newPrefix();
    const [a, b] = [await openStore(prefix, { reservationTtlSeconds: 30 }), await openStore(prefix)];
    expect(await a.reserve(['k'])).toEqual(['reserved']);
    expect(await b.reserve(['k'])).toEqual(['in-flight']);
    await admin.pexpire(prefix + 'k', 5_000);
    expect(await a.reserve(['k'])).toEqual(['reserved']);
    expect(await admin.pttl(prefix + 'k')).toBeGreaterThan(25_000);
  });

  it('answers a mixed batch position by position; a repeated key gets the same answer each time', async () => {
    const prefix = newPrefix();
    const [a, b] = [await openStore(prefix), await openStore(prefix)];
    await a.reserve(['committed', 'held']);
    await a.commit(['committed']);
    expect(await b.reserve(['held', 'fresh', 'committed', 'fresh', 'held'])).toEqual(['in-flight', 'reserved', 'duplicate', 'reserved', 'in-flight']);
  });

  it('uses the reservation TTL until commit and the long TTL after it', async () => {
    const prefix = newPrefix();
    const store = await openStore(prefix, { reservationTtlSeconds: 20, ttlSeconds: 3600 });
    await store.reserve(['k']);
    const reservedTtl = await admin.pttl(prefix + 'k');
    expect(reservedTtl).toBeGreaterThan(15_000);
    expect(reservedTtl).toBeLessThanOrEqual(20_000);
    await store.commit(['k']);
    expect(await admin.pttl(prefix + 'k')).toBeGreaterThan(3_500_000);
  });

  it('an expired reservation (1 s TTL) is reservable again by another owner', async () => {
    const prefix = newPrefix();
    const [a, b] = [await openStore(prefix, { reservationTtlSeconds: 1 }), await openStore(prefix)];
    expect(await a.reserve(['k'])).toEqual(['reserved']);
    expect(await b.reserve(['k'])).toEqual(['in-flight']);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await b.reserve(['k'])).toEqual(['reserved']);
    // a's late commit still remembers the record (it was written), and says the reservation was lost.
    expect(await a.commitDetailed(['k'])).toEqual(['committed-unreserved']);
    expect(await b.reserve(['k'])).toEqual(['duplicate']);
  });

  it('commitDetailed: committed once, then already-committed; commit is idempotent', async () => {
    const prefix = newPrefix();
    const store = await openStore(prefix);
    await store.reserve(['a', 'b']);
    expect(await store.commitDetailed(['a', 'b', 'never-reserved'])).toEqual(['committed', 'committed', 'committed-unreserved']);
    expect(await store.commitDetailed(['a', 'b', 'never-reserved'])).toEqual(['already-committed', 'already-committed', 'already-committed']);
    await store.commit(['a']);
    expect(await admin.keys(`${prefix}*`)).toHaveLength(3);
  });

  it('treats a foreign marker (an older SET NX "1" scheme) as committed and never overwrites it', async () => {
    const prefix = newPrefix();
    const store = await openStore(prefix);
    await admin.set(prefix + 'legacy', '1', 'EX', 60);
    expect(await store.reserve(['legacy'])).toEqual(['duplicate']);
    expect(await store.commitDetailed(['legacy'])).toEqual(['already-committed']);
    await store.release(['legacy']);
    expect(await admin.get(prefix + 'legacy')).toBe('1');
  });
});

// How round trips are measured, honestly: the client side counts writes to the real client's
// socket during one call (ioredis flushes a pipeline with a single socket write and the call then
// only waits for replies, so writes = request/response round trips); the server side, on a
// separate MONITOR connection, counts the commands that arrived from that client's address
// (pipelines still count one command per key). Together: one round trip carrying one script
// call per distinct key, and nothing else (no SCRIPT LOAD, no GET, no extra EXISTS).
describe('round trips per batch', () => {
  it('reserve, commit and release of 500 keys each take exactly one round trip', async () => {
    const redis = createRedisClient(REDIS_URL, { connectionName: 'idempotency-int-round-trips' });
    await waitUntilReady(redis);
    const store = new RedisIdempotencyStore({ redis, prefix: newPrefix() });
    opened.push(store);
    const stream = redis.stream as Socket;
    const monitor = await admin.monitor();
    const seen: string[][] = [];
    const ourAddress = `${stream.localAddress}:${stream.localPort}`;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === ourAddress) seen.push(args);
    });
    try {
      const keys = keysOf(500);
      const measured: Record<string, { writes: number; commands: string[] }> = {};
      for (const [name, step] of [
        ['reserve', () => store.reserve(keys)],
        ['commit', () => store.commit(keys.slice(0, 400))],
        ['release', () => store.release(keys.slice(400))],
        ['reserve again', () => store.reserve(keys)],
      ] as const) {
        seen.length = 0;
        const writes = await countSocketWrites(stream, step);
        await untilSeen(seen, name === 'commit' ? 400 : name === 'release' ? 100 : 500);
        measured[name] = { writes, commands: [...new Set(seen.map((args) => args[0]!.toLowerCase()))] };
      }
      console.info(`[idempotency] round trips per 500-key batch: ${JSON.stringify(measured)}`);
      expect(measured).toEqual({
        // The first script call on a connection is an EVAL (loads the script), the rest EVALSHA.
        reserve: { writes: 1, commands: ['eval', 'evalsha'] },
        commit: { writes: 1, commands: ['eval', 'evalsha'] },
        release: { writes: 1, commands: ['eval', 'evalsha'] },
        'reserve again': { writes: 1, commands: ['evalsha'] },
      });
      expect(await store.reserve(keys)).toEqual([...Array(400).fill('duplicate'), ...Array(100).fill('reserved')]);
    } finally {
      monitor.disconnect();
    }
  });
});

async function countSocketWrites(stream: Socket, step: () => Promise<unknown>): Promise<number> {
  const original = stream.write;
  let writes = 0;
  stream.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    writes += 1;
    return original.apply(this, args);
  } as Socket['write'];
  try {
    await step();
  } finally {
    stream.write = original;
  }
  return writes;
}

/** MONITOR lines arrive asynchronously; wait until the expected number from our client is in. */
async function untilSeen(seen: unknown[], expected: number): Promise<void> {
  for (let waited = 0; seen.length < expected && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  // A short extra wait catches any command beyond the expected ones (which would fail the test).
  await new Promise((r) => setTimeout(r, 100));
  expect(seen).toHaveLength(expected);
}
