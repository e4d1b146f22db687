// RedisLaneLedger against the real Redis of the stack: marks, releases and counts, one round
// trip per call, and every key of a lane in one cluster slot.
import { randomUUID } from 'node:crypto';
import { createRedisClient, waitUntilReady } from '@ingest-mesh/idempotency';
import { STACK_DEFAULTS } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLaneLedger } from './lane-ledger.js';

const redis = createRedisClient(process.env.REDIS_URL ?? STACK_DEFAULTS.REDIS_URL);
const lane = `test.ingest.deferred.${randomUUID()}`;
const ledger = new RedisLaneLedger(redis, lane);

beforeAll(async () => {
  await waitUntilReady(redis);
});

afterAll(async () => {
  const keys = await redis.keys(`mesh:lane:{${lane}}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('RedisLaneLedger (real Redis)', () => {
  it('marks parked records, finds their keys waiting, and counts them with the oldest age', async () => {
    await ledger.park(
      [
        { tenant: 'acme', entityKey: 'acme:customer:1', member: 'a1' },
        { tenant: 'acme', entityKey: 'acme:customer:2', member: 'a2' },
      ],
      1_000,
    );
    await ledger.park([{ tenant: 'acme', entityKey: 'acme:customer:1', member: 'a1' }], 9_000); // parked again after a crash: counted once, age kept
    await ledger.park([{ tenant: 'globex', entityKey: 'globex:order:1', member: 'g1' }], 5_000);
    const waiting = await ledger.waitingKeys(
      new Map([
        ['acme', ['acme:customer:1', 'acme:customer:3']],
        ['globex', ['globex:order:2']],
        ['initech', []],
      ]),
    );
    expect(waiting).toEqual(new Map([['acme', new Set(['acme:customer:1'])]]));
    const stats = await ledger.stats(['acme', 'globex', 'initech'], 11_000);
    expect(stats.get('acme')).toEqual({ waiting: 2, oldestAgeSeconds: 10 });
    expect(stats.get('globex')).toEqual({ waiting: 1, oldestAgeSeconds: 6 });
    expect(stats.get('initech')).toEqual({ waiting: 0, oldestAgeSeconds: null });
  });

  it('releases members, and a key only when its last parked member leaves', async () => {
    await ledger.park([{ tenant: 'acme', entityKey: 'acme:customer:1', member: 'a1-newer' }], 12_000);
    await ledger.release([
      { tenant: 'acme', entityKey: 'acme:customer:1', member: 'a1' },
      { tenant: 'acme', entityKey: 'acme:customer:2', member: 'a2' },
      { tenant: 'globex', entityKey: 'globex:order:1', member: 'g1' },
    ]);
    expect(await ledger.waitingKeys(new Map([['acme', ['acme:customer:1', 'acme:customer:2']]]))).toEqual(new Map([['acme', new Set(['acme:customer:1'])]]));
    expect((await ledger.stats(['acme', 'globex'], 12_000)).get('acme')).toEqual({ waiting: 1, oldestAgeSeconds: 0 });
    await ledger.release([{ tenant: 'acme', entityKey: 'acme:customer:1', member: 'a1-newer' }]);
    await ledger.release([{ tenant: 'acme', entityKey: 'acme:customer:1', member: 'a1-newer' }]); // again: a no-op
    expect(await ledger.waitingKeys(new Map([['acme', ['acme:customer:1']]]))).toEqual(new Map());
    expect((await ledger.stats(['acme'], 12_000)).get('acme')).toEqual({ waiting: 0, oldestAgeSeconds: null });
  });

  it('keeps every key of a lane under one hash tag (one cluster slot)', async () => {
    await ledger.park([{ tenant: 'acme', entityKey: 'x', member: 'x1' }], 1);
    const keys = await redis.keys(`mesh:lane:{${lane}}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`mesh:lane:{${lane}}:`))).toBe(true);
  });
});
