// What waits on the slow lane, kept in Redis so every router instance sees it: per tenant, the
// records parked and not yet routed (a sorted set scored by when they were parked, for the
// gauges and the oldest age) and, per entity key, the last record of that key parked (a hash),
// so a later revision of a key with one waiting is parked behind it instead of overtaking it.
// Each operation is one round trip for the whole round (one pipeline, or one script).
import type { Redis } from 'ioredis';

/** A record on the slow lane: its entity key and its member id (its dedupe key: stable across re-parks). */
export interface LaneEntry {
  tenant: string;
  entityKey: string;
  member: string;
}

export interface TenantWaiting {
  waiting: number;
  /** Seconds since the oldest waiting record was parked; null when none waits. */
  oldestAgeSeconds: number | null;
}

export interface LaneLedger {
  /** Of the given entity keys per tenant, those with a record waiting on the slow lane. */
  waitingKeys(byTenant: ReadonlyMap<string, readonly string[]>): Promise<Map<string, Set<string>>>;
  /** Marks records as waiting; called before they are produced to the slow lane. Re-marking is a no-op. */
  park(entries: readonly LaneEntry[], parkedAtMs: number): Promise<void>;
  /** Unmarks records leaving the slow lane; called before they are routed. */
  release(entries: readonly LaneEntry[]): Promise<void>;
  stats(tenants: readonly string[], nowMs: number): Promise<Map<string, TenantWaiting>>;
}

// Removes each member from its tenant's waiting set, and its key's entry only if that entry is
// still this member (a newer parked revision of the key keeps the key waiting).
// KEYS: waiting set and key hash per entry; ARGV: member and entity key per entry.
const RELEASE_LUA = `
for i = 1, #KEYS, 2 do
  local n = (i + 1) / 2
  local member = ARGV[2 * n - 1]
  local entityKey = ARGV[2 * n]
  redis.call('ZREM', KEYS[i], member)
  if redis.call('HGET', KEYS[i + 1], entityKey) == member then redis.call('HDEL', KEYS[i + 1], entityKey) end
end
return #KEYS / 2`;

export class RedisLaneLedger implements LaneLedger {
  private readonly prefix: string;

  /** `lane` names the slow lane (its topic); the hash tag keeps a lane's keys in one cluster slot. */
  constructor(
    private readonly redis: Redis,
    lane: string,
  ) {
    this.prefix = `mesh:lane:{${lane}}`;
  }

  async waitingKeys(byTenant: ReadonlyMap<string, readonly string[]>): Promise<Map<string, Set<string>>> {
    const asked = [...byTenant].filter(([, keys]) => keys.length > 0);
    const result = new Map<string, Set<string>>();
    if (asked.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const [tenant, keys] of asked) pipeline.hmget(this.keysOf(tenant), ...keys);
    const replies = await exec(pipeline);
    asked.forEach(([tenant, keys], n) => {
      const values = replies[n] as (string | null)[];
      const waiting = new Set(keys.filter((_, i) => values[i] !== null));
      if (waiting.size > 0) result.set(tenant, waiting);
    });
    return result;
  }

  async park(entries: readonly LaneEntry[], parkedAtMs: number): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const e of entries) {
      pipeline.zadd(this.waitingOf(e.tenant), 'NX', parkedAtMs, e.member);
      pipeline.hset(this.keysOf(e.tenant), e.entityKey, e.member);
    }
    await exec(pipeline);
  }

  async release(entries: readonly LaneEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const keys = entries.flatMap((e) => [this.waitingOf(e.tenant), this.keysOf(e.tenant)]);
    const args = entries.flatMap((e) => [e.member, e.entityKey]);
    await this.redis.eval(RELEASE_LUA, keys.length, ...keys, ...args);
  }

  async stats(tenants: readonly string[], nowMs: number): Promise<Map<string, TenantWaiting>> {
    const result = new Map<string, TenantWaiting>();
    if (tenants.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const tenant of tenants) {
      pipeline.zcard(this.waitingOf(tenant));
      pipeline.zrange(this.waitingOf(tenant), 0, 0, 'WITHSCORES');
    }
    const replies = await exec(pipeline);
    tenants.forEach((tenant, n) => {
      const waiting = Number(replies[2 * n]);
      const oldest = replies[2 * n + 1] as string[];
      const parkedAt = oldest.length === 2 ? Number(oldest[1]) : undefined;
      result.set(tenant, { waiting, oldestAgeSeconds: parkedAt === undefined ? null : Math.max(0, (nowMs - parkedAt) / 1000) });
    });
    return result;
  }

  private waitingOf(tenant: string): string {
    return `${this.prefix}:waiting:${tenant}`;
  }

  private keysOf(tenant: string): string {
    return `${this.prefix}:keys:${tenant}`;
  }
}

/** Runs a pipeline; the first command error fails the whole call (the round is retried). */
async function exec(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
