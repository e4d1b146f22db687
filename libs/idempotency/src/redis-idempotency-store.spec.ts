// Construction rules and the error type; behaviour against Redis is in *.int.spec.ts.
// The client is a real ioredis client that is never connected (lazyConnect).
import { classify, MeshError } from '@ingest-mesh/reason-codes';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyUnavailableError } from './errors.js';
import { createRedisClient } from './redis-client.js';
import { IDEMPOTENCY_DEFAULTS, RedisIdempotencyStore } from './redis-idempotency-store.js';

let client: Redis;
function unconnected(): Redis {
  client = createRedisClient('redis://127.0.0.1:6379', { lazyConnect: true });
  return client;
}
afterEach(() => client?.disconnect());

describe('RedisIdempotencyStore options', () => {
  it('defaults to 7 days, 300 s reservations, the mesh prefix, fail-closed and a unique owner', () => {
    const redis = unconnected();
    const a = new RedisIdempotencyStore({ redis });
    const b = new RedisIdempotencyStore({ redis });
    expect(IDEMPOTENCY_DEFAULTS).toEqual({ ttlSeconds: 604_800, reservationTtlSeconds: 300, prefix: 'mesh:dedupe:' });
    expect(a.prefix).toBe('mesh:dedupe:');
    expect(a.whenRedisDown).toBe('fail-closed');
    expect(a.owner).not.toBe(b.owner);
  });

  it.each([
    [{ ttlSeconds: 0 }, /ttlSeconds/],
    [{ reservationTtlSeconds: -1 }, /reservationTtlSeconds/],
    [{ ttlSeconds: Number.POSITIVE_INFINITY }, /ttlSeconds/],
    [{ ttlSeconds: 60, reservationTtlSeconds: 120 }, /must not exceed/],
    [{ owner: '' }, /owner/],
    [{ whenRedisDown: 'ignore' }, /whenRedisDown/],
  ])('refuses %o', (opts, message) => {
    expect(() => new RedisIdempotencyStore({ redis: unconnected(), ...(opts as object) })).toThrow(message);
  });

  it('answers an empty batch without contacting Redis', async () => {
    const redis = unconnected();
    const store = new RedisIdempotencyStore({ redis });
    await expect(store.reserve([])).resolves.toEqual([]);
    await expect(store.commitDetailed([])).resolves.toEqual([]);
    await store.release([]);
    expect(redis.status).toBe('wait');
  });

  it('refuses empty keys before any I/O, whatever the failure mode', async () => {
    const store = new RedisIdempotencyStore({ redis: unconnected(), whenRedisDown: 'fail-open' });
    await expect(store.reserve(['k', ''])).rejects.toThrow(TypeError);
  });
});

describe('IdempotencyUnavailableError', () => {
  it('is a retryable CONNECTION_ERROR MeshError that keeps its cause', () => {
    const cause = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const err = new IdempotencyUnavailableError('reserve', 3, { cause });
    expect(err).toBeInstanceOf(MeshError);
    expect(err).toMatchObject({ name: 'IdempotencyUnavailableError', code: 'CONNECTION_ERROR', retryable: true, operation: 'reserve', keyCount: 3, cause });
    expect(err.message).toContain('reserve of 3 key(s)');
    expect(classify(err)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
  });
});
