// Reading the end state of the chaos stack: consumer groups caught up (the router's slow lane
// drained), the upsert and history tables, the index, the DLQ topics and the slow lane.
import { createKafkaClient, type Admin, type MessageHeaders } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import type { DlqRecord, HistoryRow, ParkedRecord } from './reconcile.js';

export function admin(brokers: string[]): Admin {
  return createKafkaClient({ clientId: 'chaos-observer', brokers, connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 }).admin();
}

export async function lagOf(a: Admin, groupId: string, topic: string): Promise<number> {
  const ends = await a.fetchTopicOffsets(topic);
  const [committed] = await a.fetchOffsets({ groupId, topics: [topic] });
  return ends.reduce((sum, end) => {
    const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
    return sum + Number(end.high) - Math.max(0, at);
  }, 0);
}

/**
 * Waits until every group has committed the end of its topic, and every `also` count is 0, twice
 * in a row 2 s apart (a sink topic can still grow while the router finishes; the router's slow
 * lane drains at the tenant's rate). Returns the lags at the end (all 0 = caught up); a group
 * reading two topics appears as `group topic` for the second.
 */
export async function waitCaughtUp(
  a: Admin,
  groups: { groupId: string; topic: string }[],
  timeoutMs: number,
  log: (line: string) => void,
  also: () => Promise<Record<string, number>> = async () => ({}),
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let zeroes = 0;
  let lags: Record<string, number> = {};
  let lastLog = 0;
  for (;;) {
    try {
      const seen = new Set<string>();
      const named = groups.map((g) => {
        const name = seen.has(g.groupId) ? `${g.groupId} ${g.topic}` : g.groupId;
        seen.add(g.groupId);
        return { ...g, name };
      });
      lags = Object.fromEntries(await Promise.all(named.map(async (g) => [g.name, await lagOf(a, g.groupId, g.topic)] as const)));
      Object.assign(lags, await also());
    } catch (err) {
      lags = { error: -1 };
      log(`waiting for the groups: ${(err as Error).message}`);
    }
    zeroes = Object.values(lags).every((l) => l === 0) ? zeroes + 1 : 0;
    if (zeroes >= 2 || Date.now() > deadline) return lags;
    if (Date.now() - lastLog > 10_000) {
      log(
        `lag: ${Object.entries(lags)
          .map(([g, l]) => `${g} ${l}`)
          .join(', ')}`,
      );
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

export async function readTables(databaseUrl: string, schema: string): Promise<{ upsert: Map<string, number>; history: HistoryRow[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const upsert = await client.query<{ k: string; revision: string }>(`SELECT tenant || ':customer:' || id AS k, revision FROM "${schema}".customers`);
    const history = await client.query<{ k: string; revision: string; vf: string; vt: string | null; current: boolean }>(
      `SELECT tenant || ':customer:' || id AS k, revision, (EXTRACT(EPOCH FROM valid_from) * 1000)::bigint AS vf, (EXTRACT(EPOCH FROM valid_to) * 1000)::bigint AS vt, is_current AS current FROM "${schema}".customer_history`,
    );
    return {
      upsert: new Map(upsert.rows.map((r) => [r.k, Number(r.revision)])),
      history: history.rows.map((r) => ({
        key: r.k,
        revision: Number(r.revision),
        validFrom: Number(r.vf),
        validTo: r.vt === null ? null : Number(r.vt),
        isCurrent: r.current,
      })),
    };
  } finally {
    await client.end();
  }
}

/** Every document under the index prefix with its _version (scrolled, so any size). */
export async function readIndex(searchUrl: string, prefix: string): Promise<{ key: string; version: number }[]> {
  await fetch(`${searchUrl}/${prefix}*/_refresh`, { method: 'POST' });
  const docs: { key: string; version: number }[] = [];
  type Page = { _scroll_id?: string; hits?: { hits: { _version: number; _source: { '@mesh': { tenant: string; entityType: string; id: string } } }[] } };
  let page = (await (
    await fetch(`${searchUrl}/${prefix}*/_search?scroll=1m`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 5000, version: true, _source: ['@mesh'], query: { match_all: {} } }),
    })
  ).json()) as Page;
  for (;;) {
    const hits = page.hits?.hits ?? [];
    for (const h of hits) docs.push({ key: `${h._source['@mesh'].tenant}:${h._source['@mesh'].entityType}:${h._source['@mesh'].id}`, version: h._version });
    if (hits.length === 0 || page._scroll_id === undefined) break;
    page = (await (
      await fetch(`${searchUrl}/_search/scroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scroll: '1m', scroll_id: page._scroll_id }),
      })
    ).json()) as Page;
  }
  return docs;
}

interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer | null;
  headers: MessageHeaders;
}

/** Every record of the given topics, read from the beginning up to the end offsets seen now. */
async function readTopics(brokers: string[], a: Admin, topics: string[], clientId: string, timeoutMs: number): Promise<RawRecord[]> {
  const counts = new Map<string, number>();
  for (const t of topics)
    counts.set(
      t,
      (await a.fetchTopicOffsets(t)).reduce((s, p) => s + Number(p.high) - Number(p.low), 0),
    );
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  if (total === 0) return [];
  const kafka = createKafkaClient({ clientId, brokers });
  const consumer = kafka.consumer({ groupId: `${clientId}-${Date.now()}` });
  const out: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: topics.filter((t) => (counts.get(t) ?? 0) > 0), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${out.length} of ${total} records of ${topics.join(', ')} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          out.push({
            topic,
            partition,
            offset: Number(message.offset),
            key: message.key?.toString('utf8') ?? '',
            value: message.value,
            headers: message.headers ?? {},
          });
          if (out.length >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Every record of every dlq.* topic, read from the beginning up to the end offsets seen now. */
export async function readDlq(brokers: string[], a: Admin, timeoutMs = 60_000): Promise<DlqRecord[]> {
  const topics = (await a.listTopics()).filter((t) => t.startsWith('dlq.'));
  return (await readTopics(brokers, a, topics, 'chaos-dlq-reader', timeoutMs)).map((r) => {
    const reason = r.headers['x-mesh-reason'];
    return { topic: r.topic, key: r.key, reason: reason === undefined ? undefined : String(reason) };
  });
}

/**
 * Every record the router parked on its slow lane, and whether it is still waiting: at or past
 * the offset the router's group has committed on that partition (not yet routed for good).
 */
export async function readSlowLane(brokers: string[], a: Admin, topic: string, groupId: string, timeoutMs = 60_000): Promise<ParkedRecord[]> {
  if (!(await a.listTopics()).includes(topic)) return [];
  const [committed] = await a.fetchOffsets({ groupId, topics: [topic] });
  const committedAt = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return (await readTopics(brokers, a, [topic], 'chaos-lane-reader', timeoutMs)).map((r) => {
    const reason = r.headers['x-mesh-deferred-reason'];
    return {
      key: r.key,
      revision: revisionOf(r.value),
      reason: reason === undefined ? undefined : String(reason),
      waiting: r.offset >= (committedAt.get(r.partition) ?? -1),
    };
  });
}

/** The revision of a parked record (the chaos load's JSON envelope), null if it has none. */
function revisionOf(value: Buffer | null): number | null {
  try {
    const revision = (JSON.parse(value?.toString('utf8') ?? 'null') as { revision?: unknown } | null)?.revision;
    return typeof revision === 'number' ? revision : null;
  } catch {
    return null;
  }
}

/** The router's own count of records waiting on its slow lane, per tenant (/health/detailed `deferred`). */
export async function routerWaiting(routerUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${routerUrl}/health/detailed`, { signal: AbortSignal.timeout(3_000) });
  if (res.status !== 200) throw new Error(`router /health/detailed answered ${res.status}`);
  const body = (await res.json()) as { deferred?: { sampledAt: string | null; tenants: Record<string, { waiting: number }> } };
  if (!body.deferred) throw new Error('router /health/detailed has no deferred section');
  if (body.deferred.sampledAt === null) throw new Error('router has not sampled its slow lane yet');
  return Object.fromEntries(Object.entries(body.deferred.tenants).map(([tenant, w]) => [tenant, w.waiting]));
}
