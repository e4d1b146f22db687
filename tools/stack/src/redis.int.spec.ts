import { stackEndpoints } from '@ingest-mesh/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';

const url = stackEndpoints().REDIS_URL;

describe('Redis at REDIS_URL', () => {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  afterAll(() => redis.quit());

  it('answers SET NX with a TTL in one pipeline, the way dedupe keys are stored', async () => {
    const keys = [randomUUID(), randomUUID()].map((k) => `stack-probe:${k}`);
    const first = await redis.pipeline(keys.map((k) => ['set', k, '1', 'EX', '60', 'NX'])).exec();
    const second = await redis.pipeline([...keys, `stack-probe:${randomUUID()}`].map((k) => ['set', k, '1', 'EX', '60', 'NX'])).exec();
    expect(first?.map(([err, res]) => [err, res])).toEqual([
      [null, 'OK'],
      [null, 'OK'],
    ]);
    expect(second?.map(([, res]) => res)).toEqual([null, null, 'OK']);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    await redis.del(...keys);
  });
});
