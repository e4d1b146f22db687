// `npm start`'s demo flow: sends good, duplicate and bad records to the running router (raw
// topic and webhook), then watches the sink topics and the DLQ and prints where each went, and
// waits for sink-postgres and sink-search to write the good ones: prints their rows from
// PostgreSQL and one full-text search result from OpenSearch.
// Exits 1 if any record did not end where it should, or a good one is not in PostgreSQL or the index.
import { randomUUID } from 'node:crypto';
import { SchemaCatalog, SINK_RECORD_SUBJECT, createSchemaRegistry } from '@ingest-mesh/avro';
import { endpointsFromEnv } from '@ingest-mesh/env-config';
import { createKafkaClient } from '@ingest-mesh/kafka-client';
import { demoRecords, type DemoRecord } from './records.js';
import { observe, type Seen } from './observe.js';
import { waitForPostgresRows, type ExpectedRow } from './postgres-rows.js';
import { searchText, waitForDocuments, type ExpectedDoc } from './search-hits.js';

const endpoints = endpointsFromEnv();
const brokers = endpoints.KAFKA_BROKERS.split(',');
const routerUrl = process.env.ROUTER_URL ?? 'http://127.0.0.1:8090';
const token = process.env.ROUTER_TOKEN_ACME;
const run = randomUUID().slice(0, 6);
const watched = ['sink.postgres', 'sink.search', 'dlq.ingest-router'];

const kafka = createKafkaClient({ clientId: `demo-${run}`, brokers });
const registry = createSchemaRegistry({ host: endpoints.SCHEMA_REGISTRY_URL });
const records = demoRecords(run);

const admin = kafka.admin();
await admin.connect();
const from = new Map<string, Map<number, string>>();
for (const topic of watched) from.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high])));
await admin.disconnect();

const producer = kafka.producer();
await producer.connect();
await producer.send({ topic: 'ingest.raw', acks: -1, messages: records.filter((r) => r.via === 'raw').map((r) => ({ key: r.key, value: r.value })) });
await producer.disconnect();
for (const r of records.filter((x) => x.via === 'webhook')) await postWebhook(r);

const seen = await observe({
  kafka,
  from,
  keys: new Set(records.map((r) => r.key)),
  timeoutMs: 30_000,
  settle: (s) => records.every((r) => describe(r, s) === r.expect),
});
let wrong = 0;
console.log(`\n${'record'.padEnd(32)} ${'via'.padEnd(8)} ${'went to'.padEnd(30)} expected`);
for (const r of records) {
  const got = describe(r, seen);
  if (got !== r.expect) wrong += 1;
  console.log(`${r.label.padEnd(32)} ${r.via.padEnd(8)} ${got.padEnd(30)} ${got === r.expect ? 'ok' : `EXPECTED ${r.expect}`}`);
}
await showOneSinkRecord(seen);
console.log(wrong === 0 ? '\nEvery record went where it should.' : `\n${wrong} record(s) did not go where expected.`);
const missing = (await showPostgresRows()) + (await showSearchResult());
process.exit(wrong === 0 && missing === 0 ? 0 : 1);

function describe(r: DemoRecord, s: Seen): string {
  const hits = s.get(r.key) ?? [];
  const sameKey = records.filter((x) => x.key === r.key);
  // A duplicate is the second of two identical records that left one trace.
  if (sameKey.length > 1 && sameKey.indexOf(r) > 0)
    return hits.filter((h) => h.topic === 'sink.postgres').length === 1 ? 'skipped (duplicate)' : 'delivered twice';
  const dlq = hits.find((h) => h.topic === 'dlq.ingest-router');
  if (dlq) return `DLQ ${dlq.reason}`;
  const sinks = [...new Set(hits.map((h) => h.topic))].sort();
  return sinks.length > 0 ? sinks.join(' + ') : 'nowhere (yet)';
}

/** The rows sink-postgres wrote for the good records; returns how many are missing. */
async function showPostgresRows(): Promise<number> {
  const expected = records
    .filter((r) => r.expect.includes('sink.postgres'))
    .map((r): ExpectedRow => {
      const [tenant = '', entityType, id = ''] = r.key.split(':');
      return { table: entityType === 'order' ? 'orders_live' : 'customers_live', tenant, id, revision: 1 };
    });
  const schema = process.env.SINK_PG_SCHEMA ?? 'public';
  console.log(`\nWaiting for sink-postgres to write the ${expected.length} good records to PostgreSQL (schema ${schema})…`);
  const { rows, missing } = await waitForPostgresRows({ databaseUrl: endpoints.DATABASE_URL, schema, expected, timeoutMs: 30_000 });
  for (const row of rows) {
    const { table, updated_at: _updatedAt, ...fields } = row;
    console.log(`${String(table).padEnd(15)} ${JSON.stringify(fields)}`);
  }
  if (missing.length === 0) console.log('Every good record is in PostgreSQL.');
  else
    console.log(
      `${missing.length} good record(s) are not in PostgreSQL: ${missing.map((m) => `${m.table} ${m.tenant}/${m.id}`).join(', ')} (is sink-postgres running? bash tools/mesh/apps.sh status)`,
    );
  return missing.length;
}

async function postWebhook(r: DemoRecord): Promise<void> {
  if (!token) throw new Error('ROUTER_TOKEN_ACME is not set: run the demo through `npm start` (it loads .stack/mesh.env)');
  const [tenant, entityType] = r.key.split(':');
  const res = await fetch(`${routerUrl}/ingest/${tenant}/${entityType}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: r.value,
  });
  if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
}

async function showOneSinkRecord(s: Seen): Promise<void> {
  const hit = [...s.values()].flat().find((h) => h.topic === 'sink.postgres' && h.value);
  if (!hit?.value) return;
  const catalog = new SchemaCatalog({ registry });
  const { value } = await catalog.decodeLatest(hit.value, SINK_RECORD_SUBJECT);
  const sink = value as Record<string, unknown> & { payload: Buffer | null };
  const entity = sink.payload ? (await catalog.decode(sink.payload)).value : null;
  console.log(`\nOne SinkRecord from sink.postgres (key ${hit.key}):`);
  console.log(JSON.stringify({ ...sink, payload: entity }, null, 2));
}

/** Waits for sink-search to index the good records routed to it, then prints one search result; returns how many are missing. */
async function showSearchResult(): Promise<number> {
  const opts = { searchUrl: endpoints.SEARCH_URL, indexPrefix: process.env.SINK_SEARCH_INDEX_PREFIX ?? 'mesh-', timeoutMs: 30_000 };
  const expected = records
    .filter((r) => r.expect.includes('sink.search'))
    .map((r): ExpectedDoc => {
      const [tenant = '', entityType = '', id = ''] = r.key.split(':');
      return { tenant, entityType, id, revision: 1 };
    });
  console.log(`\nWaiting for sink-search to index the ${expected.length} good records routed to it (${opts.searchUrl})…`);
  const missing = await waitForDocuments(expected, opts);
  if (missing.length > 0) {
    console.log(
      `${missing.length} document(s) are not searchable: ${missing.map((m) => `${m.tenant}/${m.entityType}/${m.id}`).join(', ')} (is sink-search running? bash tools/mesh/apps.sh status)`,
    );
    return missing.length;
  }
  const hits = (await searchText('acme', 'customer', 'name', 'web signup', opts)).filter((h) => h.id === `c-${run}-2`);
  console.log(`Every routed record is searchable. Full-text search for "web signup" in ${hits[0]?.index ?? 'mesh-acme-customer'}:`);
  console.log(JSON.stringify(hits[0] ?? 'no hit', null, 2));
  return hits.length === 1 ? 0 : 1;
}
