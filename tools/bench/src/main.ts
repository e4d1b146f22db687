// `npm run bench`: the mesh under load on the local stack (tools/stack), everything unique to
// the run (topics, groups, schema, index prefix) and removed afterwards. Phases, one at a time
// so each app gets the machine to itself:
//   1. the load (planned from a seed) is produced to the run's raw topic;
//   2. baseline: a bare kafkajs passthrough drains it;          → router records/s vs. passthrough
//   3. ingest-router drains it (dedupe on) to two sink topics;
//   4. sink-postgres drains its topic;  baseline: COPY of as many rows  → rows/s vs. COPY
//   5. sink-search drains its topic;                                     → docs/s
//   6. steady load at --rate for --duration with all three running: produce → row latency.
// Writes dist/bench/<time>.json and .md and prints the Markdown.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerSchemas, SchemaCatalog } from '@ingest-mesh/avro';
import { freePort, REPO_ROOT, spawnRouter } from '@ingest-mesh/testing';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { spawnApp, stopApp, track, waitReady, type AppProcess } from './apps.js';
import { copyCustomers, passthrough } from './baselines.js';
import { hotspotsOfFile } from './cpu-profile.js';
import { measureDrain, produceAll, produceAtRate, waitCaughtUp } from './kafka-io.js';
import { encodePlan } from './load-messages.js';
import { countKinds, planLoad, tenantName } from './load-plan.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { ProcSampler, type ProcUsage } from './proc-sampler.js';
import { markdownTable, type Row } from './report.js';
import { distribution, perSecond } from './stats.js';

const env = {
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  registry: process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081/apis/ccompat/v7',
  database: process.env.DATABASE_URL ?? 'postgres://mesh@127.0.0.1:5432/mesh',
  search: process.env.SEARCH_URL ?? 'http://127.0.0.1:9200',
};

let opts: BenchOptions;
try {
  opts = parseBenchOptions(process.argv.slice(2));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

const run = randomBytes(4).toString('hex');
const kafka = new Kafka({ clientId: `bench-${run}`, brokers: env.brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const registry = new SchemaRegistry({ host: env.registry });
const catalog = new SchemaCatalog({ registry });
const schema = `bench_${run}`;
const indexPrefix = `bench-${run}-`;
const sinks = { pg: `bench${run}pg`, search: `bench${run}search` };
const topics = { passthrough: `bench.passthrough.${run}`, pg: `sink.${sinks.pg}`, search: `sink.${sinks.search}` };
const groups = { passthrough: `bench.passthrough.${run}`, pg: `bench.sink-postgres.${run}`, search: `bench.sink-search.${run}` };
const secrets = { MESH_ADMIN_TOKEN: randomBytes(16).toString('hex'), MESH_CONTROL_SECRET: randomBytes(32).toString('hex') };
const profileDir = path.join(REPO_ROOT, 'dist/bench/profiles', run);
/** With --profile every app writes a V8 CPU profile when it exits. */
const nodeArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
const apps: AppProcess[] = [];
let routerConfigFile: string | undefined;
const usage = new Map<string, ProcUsage>();
const rows: Row[] = [];
const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function phase<T>(what: string, pids: Record<string, number | undefined>, work: () => Promise<T>): Promise<T> {
  log(`${what}…`);
  const sampler = new ProcSampler(new Map(Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined)));
  sampler.start();
  const result = await work();
  for (const [name, u] of sampler.stop()) usage.set(`${name} (${what})`, u);
  return result;
}

try {
  await admin.connect();
  await registerSchemas(registry);
  const pool = new pg.Pool({ connectionString: env.database, max: 2 });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  log(`run ${run}, seed ${opts.seed} (repeat with --seed ${opts.seed}): ${opts.records} records of ~${opts.size} B, ${opts.format}, ${opts.tenants} tenants, ${opts.dupPct} % duplicates, ${opts.badPct} % bad`);

  // 1. The load, on the raw topic the router will read.
  const plan = planLoad({ count: opts.records, size: opts.size, tenants: opts.tenants, dupPct: opts.dupPct, badPct: opts.badPct, seed: opts.seed, run, idPrefix: 'c' });
  const kinds = countKinds(plan);
  const messages = await encodePlan(catalog, opts.format, plan, Date.now());
  const rawTopic = `test.ingest.raw.${run}`; // spawnRouter's name for the run's raw topic
  await admin.createTopics({ topics: [rawTopic, topics.passthrough, topics.pg, topics.search].map((topic) => ({ topic, numPartitions: opts.partitions, replicationFactor: -1 })), waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const producedMs = await phase('producing the load', {}, () => produceAll(producer, rawTopic, messages));
  log(`produced ${messages.length} records in ${producedMs} ms (${Math.round(perSecond(messages.length, producedMs))}/s)`);

  // 2. Baseline: the bare passthrough over the same topic.
  const base = await phase('baseline: kafkajs passthrough', { bench: process.pid }, () => passthrough(kafka, admin, rawTopic, topics.passthrough, groups.passthrough));

  // 3. The router drains the same records: validate, dedupe (Redis), route to both sinks.
  const tenants = Object.fromEntries(Array.from({ length: opts.tenants }, (_, n) => [tenantName(run, n), { ratePerSec: 1_000_000, burst: 1_000_000 }]));
  const routerPort = await freePort();
  const spawned = await spawnRouter({ run, port: routerPort, config: { tenants, entityTypes: { customer: { sinks: [sinks.pg, sinks.search] } } }, env: { ...secrets, LOG_LEVEL: 'warn' }, nodeArgs });
  routerConfigFile = spawned.configFile;
  const router = track('ingest-router', spawned.child, routerPort);
  apps.push(router);
  await waitReady(router);
  const routed = await phase('ingest-router', { 'ingest-router': router.child.pid }, () => measureDrain(admin, spawned.groupId, rawTopic, 900_000));
  rows.push({ what: 'ingest-router throughput (1 process, dedupe on)', value: perSecond(routed.count, routed.ms), unit: 'records/s', baseline: { name: 'kafkajs passthrough', value: base.perSec }, target: { value: 20_000, atLeast: true }, note: `${opts.format}, ~${opts.size} B` });

  // 4. sink-postgres drains its topic; then the COPY baseline with as many rows.
  const sinkEnv = { ...secrets, LOG_LEVEL: 'warn', MESH_CONTROL_TOPIC: `test.mesh.control.router.${run}` };
  const pgSink = spawnApp('sink-postgres', await freePort(), { ...sinkEnv, DATABASE_URL: env.database, SINK_PG_SCHEMA: schema, SINK_TOPIC: topics.pg, SINK_GROUP_ID: groups.pg }, nodeArgs);
  apps.push(pgSink);
  await waitReady(pgSink);
  const written = await phase('sink-postgres', { 'sink-postgres': pgSink.child.pid }, () => measureDrain(admin, groups.pg, topics.pg, 900_000));
  const goods = plan.filter((p): p is Extract<typeof p, { kind: 'good' }> => p.kind === 'good');
  const copy = await phase('baseline: COPY', {}, () => copyCustomers(env.database, schema, goods.slice(0, written.count).map((g) => [g.tenant, g.id, String(g.revision), g.name, `${g.id}@example.com`, 'pro'])));
  rows.push({ what: 'sink-postgres rows (revision-guarded upsert)', value: perSecond(written.count, written.ms), unit: 'rows/s', baseline: { name: 'COPY', value: copy.perSec }, target: { value: 15_000, atLeast: true } });

  // 5. sink-search drains its topic.
  const searchSink = spawnApp('sink-search', await freePort(), { ...sinkEnv, SEARCH_URL: env.search, SINK_SEARCH_INDEX_PREFIX: indexPrefix, SINK_TOPIC: topics.search, SINK_GROUP_ID: groups.search }, nodeArgs);
  apps.push(searchSink);
  await waitReady(searchSink);
  const indexed = await phase('sink-search', { 'sink-search': searchSink.child.pid }, () => measureDrain(admin, groups.search, topics.search, 900_000));
  rows.push({ what: 'sink-search documents (bulk, external versions)', value: perSecond(indexed.count, indexed.ms), unit: 'docs/s' });

  // 6. Steady load with everything running: produce time (occurredAt) → the row's write.
  const steadyCount = opts.rate * opts.durationSec;
  const steadyPlan = planLoad({ count: steadyCount, size: opts.size, tenants: opts.tenants, dupPct: 0, badPct: 0, seed: opts.seed + 1, run, idPrefix: 'lat-' });
  const pids = { 'ingest-router': router.child.pid, 'sink-postgres': pgSink.child.pid, 'sink-search': searchSink.child.pid };
  const steady = await phase(`steady ${opts.rate}/s`, pids, async () => {
    // JSON envelopes, so occurredAt is the send time of each tick without an encode per record.
    const ms = await produceAtRate(producer, rawTopic, (i, now) => {
      const p = steadyPlan[i] as Extract<(typeof steadyPlan)[number], { kind: 'good' }>;
      return { key: `${p.tenant}:customer:${p.id}`, value: JSON.stringify({ tenant: p.tenant, source: 'bench', entityType: 'customer', id: p.id, revision: 1, occurredAt: new Date(now).toISOString(), payload: { id: p.id, name: p.name, email: `${p.id}@example.com`, tier: 'pro', country: 'DE', createdAt: new Date(now).toISOString() } }) };
    }, steadyCount, opts.rate);
    await waitCaughtUp(admin, spawned.groupId, rawTopic, 300_000);
    await waitCaughtUp(admin, groups.pg, topics.pg, 300_000);
    return ms;
  });
  const latencies = (await pool.query<{ ms: number }>(`SELECT (EXTRACT(EPOCH FROM (updated_at - occurred_at)) * 1000)::float8 AS ms FROM "${schema}".customers WHERE id LIKE 'lat-%'`)).rows.map((r) => r.ms);
  const lat = distribution(latencies);
  const achieved = perSecond(steadyCount, steady);
  const note = `${Math.round(achieved)} records/s offered for ${opts.durationSec} s (JSON envelopes stamped at send), ${lat.count} rows`;
  rows.push({ what: 'end to end p50 (produce → sink-postgres write)', value: lat.p50, unit: 'ms', note });
  rows.push({ what: 'end to end p95', value: lat.p95, unit: 'ms' });
  rows.push({ what: 'end to end p99', value: lat.p99, unit: 'ms', target: { value: 250, atLeast: false } });
  await pool.end();
  await producer.disconnect();

  // The apps stop now (a profile is written on exit), the report follows.
  const pidOf = new Map(apps.map((a) => [a.child.pid, a.name]));
  for (const app of apps) await stopApp(app);
  const profiles = opts.profile ? readProfiles(profileDir, pidOf) : [];
  const usageRows = [...usage].map(([name, u]) => `| ${name} | ${u.cpuCores.toFixed(2)} | ${Math.round(u.maxRssMb)} |`);
  const md = [
    `# Bench ${new Date().toISOString()} (run ${run}, seed ${opts.seed})`,
    '',
    `${opts.records} records of ~${opts.size} B (${opts.format}; ${kinds.good} good, ${kinds.dup} duplicates, ${kinds.bad} bad), ${opts.tenants} tenants, ${opts.partitions} partitions; the whole stack and the apps on this machine (${(await import('node:os')).cpus().length} cores).`,
    '',
    markdownTable(rows),
    '',
    `Baselines measured in the same run: kafkajs passthrough ${Math.round(base.perSec)} records/s (${base.count} records in ${base.ms} ms); COPY ${Math.round(copy.perSec)} rows/s (${copy.count} rows in ${copy.ms} ms).`,
    '',
    '| process (phase) | CPU (cores) | max RSS (MB) |',
    '|---|---:|---:|',
    ...usageRows,
    ...profiles,
  ].join('\n');
  const out = path.join(REPO_ROOT, 'dist/bench');
  mkdirSync(out, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '-').slice(0, 19);
  writeFileSync(path.join(out, `${stamp}.json`), JSON.stringify({ run, options: opts, kinds, rows, baselines: { passthrough: base, copy }, usage: Object.fromEntries(usage) }, null, 2));
  writeFileSync(path.join(out, `${stamp}.md`), `${md}\n`);
  console.log(`\n${md}\n\nWritten to dist/bench/${stamp}.json and .md`);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
  for (const app of apps) if (app.output.length > 0) console.error(`--- ${app.name} (last output)\n${app.output.join('').slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

/** Each app's hotspots (self time) from its CPU profile, as Markdown. */
function readProfiles(dir: string, pidOf: Map<number | undefined, string>): string[] {
  const out: string[] = [];
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the app (others: tsx's loader).
  for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f)) : []) {
    const pid = Number(file.split('.')[3]);
    const name = pidOf.get(pid) ?? `pid ${pid}`;
    out.push('', `Hotspots of ${name} (self time, dist/bench/profiles/${run}/${file}):`, '', '| function | where | self |', '|---|---|---:|');
    for (const h of hotspotsOfFile(path.join(dir, file), 10)) out.push(`| ${h.fn} | ${h.where} | ${h.selfPct} % |`);
  }
  return out;
}

async function cleanUp(): Promise<void> {
  for (const app of apps) await stopApp(app).catch(() => undefined);
  const existing = new Set(await admin.listTopics().catch(() => [] as string[]));
  const mine = [...existing].filter((t) => t.includes(run));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  const groupList = (await admin.listGroups().catch(() => ({ groups: [] as { groupId: string }[] }))).groups.map((g) => g.groupId).filter((g) => g.includes(run));
  if (groupList.length > 0) await admin.deleteGroups(groupList).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
  const pool = new pg.Pool({ connectionString: env.database, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
  await fetch(`${env.search}/${indexPrefix}*`, { method: 'DELETE' }).catch(() => undefined);
  await fetch(`${env.search}/_index_template/${indexPrefix}*`, { method: 'DELETE' }).catch(() => undefined);
  if (routerConfigFile) rmSync(routerConfigFile, { force: true });
}
