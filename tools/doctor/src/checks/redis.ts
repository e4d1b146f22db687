// Redis (the dedupe store): reachable, and an eviction policy that cannot drop the mesh's keys:
// an allkeys-* policy could evict a handled-record mark (a duplicate write) or a reservation.
import { Redis } from 'ioredis';
import { fail, pass, reason, withTimeout, type CheckRow } from './types.js';

export function judgeEvictionPolicy(policy: string | undefined): { ok: boolean; detail: string } {
  if (!policy) return { ok: true, detail: 'maxmemory-policy not readable (CONFIG disabled?)' };
  if (policy.startsWith('allkeys-')) return { ok: false, detail: `maxmemory-policy=${policy} may evict dedupe keys; use noeviction or volatile-*` };
  return { ok: true, detail: `maxmemory-policy=${policy}` };
}

export async function checkRedis(url: string, timeoutMs: number): Promise<CheckRow[]> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  const where = url.replace(/(\/\/[^@]*:)[^@]+@/, '$1***@');
  try {
    await withTimeout(redis.connect(), timeoutMs, `connecting to ${where}`);
    const pong = await withTimeout(redis.ping(), timeoutMs, 'PING');
    let policy: string | undefined;
    try {
      const reply = (await withTimeout(redis.config('GET', 'maxmemory-policy'), timeoutMs, 'CONFIG GET')) as string[];
      policy = reply[1];
    } catch {
      policy = undefined;
    }
    const judged = judgeEvictionPolicy(policy);
    return [pass('redis', 'reachable', `${where}: ${pong}`), judged.ok ? pass('redis', 'eviction', judged.detail) : fail('redis', 'eviction', judged.detail)];
  } catch (err) {
    return [fail('redis', 'reachable', `${where}: ${reason(err)}`)];
  } finally {
    redis.disconnect();
  }
}
