// No server is contacted here: lazyConnect clients are inspected and closed unconnected.
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisClient, FAIL_FAST_REDIS_OPTIONS, REDIS_CLIENT_DEFAULTS, waitUntilReady } from './redis-client.js';

const clients: Redis[] = [];
function lazyClient(...args: Parameters<typeof createRedisClient>): Redis {
  const client = createRedisClient(args[0], { ...args[1], lazyConnect: true });
  clients.push(client);
  return client;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

describe('createRedisClient', () => {
  it('applies the fail-fast settings and default timeouts', () => {
    const { options } = lazyClient('redis://127.0.0.1:6379/2');
    expect(options).toMatchObject({ ...FAIL_FAST_REDIS_OPTIONS, connectTimeout: 2000, commandTimeout: 2000, db: 2, port: 6379, host: '127.0.0.1' });
    expect(REDIS_CLIENT_DEFAULTS.commandTimeoutMs).toBe(2000);
  });

  it('keeps the fail-fast settings even when redisOptions asks otherwise', () => {
    const { options } = lazyClient('redis://127.0.0.1:6379', {
      redisOptions: { enableOfflineQueue: true, maxRetriesPerRequest: 20, autoResendUnfulfilledCommands: true, username: 'app' },
      commandTimeoutMs: 750,
    });
    expect(options).toMatchObject({ ...FAIL_FAST_REDIS_OPTIONS, commandTimeout: 750, username: 'app' });
  });

  it('reconnects forever with a capped, growing delay', () => {
    const { options } = lazyClient('redis://127.0.0.1:6379', { maxReconnectDelayMs: 1000 });
    const delays = [1, 2, 3, 5, 10, 1000].map((attempt) => options.retryStrategy!(attempt));
    expect(delays).toEqual([50, 100, 200, 800, 1000, 1000]);
  });

  it('takes credentials and TLS from the URL', () => {
    const { options } = lazyClient('rediss://user:s3cret@cache.example:6380');
    expect(options).toMatchObject({ username: 'user', password: 's3cret', host: 'cache.example', port: 6380 });
    expect(options.tls).toBeDefined();
  });

  it('refuses non-positive timeouts', () => {
    expect(() => createRedisClient('redis://127.0.0.1:6379', { lazyConnect: true, commandTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => createRedisClient('redis://127.0.0.1:6379', { lazyConnect: true, connectTimeoutMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('waitUntilReady', () => {
  it('rejects with a retryable CONNECTION_ERROR for a closed client', async () => {
    const client = lazyClient('redis://127.0.0.1:6379');
    client.disconnect();
    await expect(waitUntilReady(client, 50)).rejects.toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
  });
});
