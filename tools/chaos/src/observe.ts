// Reading the end state of the chaos stack: consumer groups caught up, the upsert and history
// tables, the index, and the DLQ topics.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';
import type { DlqRecord, HistoryRow } from './reconcile.js';

export function admin(brokers: string[]): Admin {
  return new Kafka({ clientId: 'chaos-observer', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, requestTimeout: 10_000 }).admin();
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
 * Waits until every group has committed the end of its topic, twice in a row 2 s apart (a sink
 * topic can still grow while the router finishes). Returns the lags at the end (all 0 = caught up).
 */
export async function waitCaughtUp(a: Admin, groups: { groupId: string; topic: string }[], timeoutMs: number, log: (line: string) => void): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let zeroes = 0;
  let lags: Record<string, number> = {};
  let lastLog = 0;
  for (;;) {
    try {
      lags = Object.fromEntries(await Promise.all(groups.map(async (g) => [g.groupId, await lagOf(a, g.groupId, g.topic)] as const)));
    } catch (err) {
      lags = { error: -1 };
      log(`waiting for the groups: ${(err as Error).message}`);
    }
    zeroes = Object.values(lags).every((l) => l === 0) ? zeroes + 1 : 0;
    if (zeroes >= 2 || Date.now() > deadline) return lags;
    if (Date.now() - lastLog > 10_000) {
      log(`lag: ${Object.entries(lags).map(([g, l]) => `${g} ${l}`).join(', ')}`);
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
      history: history.rows.map((r) => ({ key: r.k, revision: Number(r.revision), validFrom: Number(r.vf), validTo: r.vt === null ? null : Number(r.vt), isCurrent: r.current })),
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
    await fetch(`${searchUrl}/${prefix}*/_search?scroll=1m`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ size: 5000, version: true, _source: ['@mesh'], query: { match_all: {} } }) })
  ).json()) as Page;
  for (;;) {
    const hits = page.hits?.hits ?? [];
    for (const h of hits) docs.push({ key: `${h._source['@mesh'].tenant}:${h._source['@mesh'].entityType}:${h._source['@mesh'].id}`, version: h._version });
    if (hits.length === 0 || page._scroll_id === undefined) break;
    page = (await (await fetch(`${searchUrl}/_search/scroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scroll: '1m', scroll_id: page._scroll_id }) })).json()) as Page;
  }
  return docs;
}

/** Every record of every dlq.* topic, read from the beginning up to the end offsets seen now. */
export async function readDlq(brokers: string[], a: Admin, timeoutMs = 60_000): Promise<DlqRecord[]> {
  const topics = (await a.listTopics()).filter((t) => t.startsWith('dlq.'));
  const ends = new Map<string, number>();
  for (const t of topics) ends.set(t, (await a.fetchTopicOffsets(t)).reduce((s, p) => s + Number(p.high), 0));
  const total = [...ends.values()].reduce((s, n) => s + n, 0);
  if (total === 0) return [];
  const kafka = new Kafka({ clientId: 'chaos-dlq-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `chaos-dlq-reader-${Date.now()}` });
  const out: DlqRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: topics.filter((t) => (ends.get(t) ?? 0) > 0), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${total} DLQ records within ${timeoutMs / 1000} s`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          const reason = message.headers?.['x-mesh-reason'];
          out.push({ topic, key: message.key?.toString('utf8') ?? '', reason: reason === undefined ? undefined : String(reason) });
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
