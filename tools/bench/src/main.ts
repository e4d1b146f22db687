// One bench run (cli.ts, `npm run bench`, picks the adapter or runs this once per adapter): the
// mesh under load on the local stack (tools/stack), everything unique to the run (topics, groups,
// schema, index prefix) and removed afterwards. Phases, one at a time
// so each app gets the machine to itself:
//   1. the load (planned from a seed) is produced to the run's raw topic;
//   2. baseline: a bare passthrough on the Kafka port drains it;          → router records/s vs. passthrough
//   3. ingest-router drains it (dedupe on) to two sink topics; then a second router, tracing on at
//      --trace-ratio, drains a backlog of its own (traced-router.ts)   → its records/s vs. the first;
//   4. sink-postgres drains its topic;  baseline: COPY of as many rows  → rows/s vs. COPY; then a
//      second sink-postgres drains 4 revisions per id in shuffled order (shuffled-revisions.ts)
//                                                                        → its rate vs. phase 4's;
//   5. sink-search drains its topic;                                     → docs/s
//   6. steady load at --rate for --duration with all three running: produce → row latency;
//   7. fairness: tenant B at half its rate alone, then with tenant A at five times its rate on the
//      same partitions: B's latency both ways, and how long until all of A's records are in the sinks.
// Every tenant has the shipped rate limits (apps/ingest-router/config/router.yaml, tenant-limits.ts).
// Phases 2–6 measure the router, not the limit: the backlog of 1–5 was offered within every
// tenant's limit (its Kafka timestamps, backlogTimestamps) and the steady load is spread over
// enough tenants that each is below its rate. Tenant A of phase 7 is over its rate.
// Writes dist/bench/<time>.json and .md and prints the Markdown.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerSchemas, SchemaCatalog, createSchemaRegistry } from '@ingest-mesh/avro';
import { freePort, REPO_ROOT, spawnRouter } from '@ingest-mesh/testing';
import { createKafkaClient, kafkaClientKind, type Producer } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import { spawnApp, stopApp, track, waitReady, type AppProcess } from './apps.js';
import { copyCustomers, passthrough } from './baselines.js';
import { hotspotsOfFile } from './cpu-profile.js';
import { fairnessRows, type FairnessResult } from './fairness.js';
import { countByTenant, endOffsetTotal, lagOf, measureDrain, produceAll, produceAtRate, waitCaughtUp } from './kafka-io.js';
import { encodePlan, stampedJson, withTraceparents } from './load-messages.js';
import { backlogPlan, backlogTimestamps, countKinds, paddedName, tenantName, tenantsOf } from './load-plan.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { ProcSampler, type ProcUsage } from './proc-sampler.js';
import { markdownTable, type Row } from './report.js';
import { distribution, peakPerKey, perSecond } from './stats.js';
import { readShippedLimits, SHIPPED_ROUTER_CONFIG, tenantsBelowLimit } from './tenant-limits.js';
import { shuffledRevisionsPhase } from './shuffled-revisions.js';
import { steadyPhases, steadyRows } from './steady.js';
import { tracedRouterPhase } from './traced-router.js';

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
/** The Kafka adapter of the apps and of this bench's own clients (MESH_KAFKA_CLIENT). */
const KAFKA_CLIENT = kafkaClientKind();
const kafka = createKafkaClient({ kind: KAFKA_CLIENT, clientId: `bench-${run}`, brokers: env.brokers });
const admin = kafka.admin();
const registry = createSchemaRegistry({ host: env.registry });
const catalog = new SchemaCatalog({ registry });
const schema = `bench_${run}`;
const indexPrefix = `bench-${run}-`;
const sinks = { pg: `bench${run}pg`, search: `bench${run}search` };
const topics = { passthrough: `bench.passthrough.${run}`, pg: `sink.${sinks.pg}`, search: `sink.${sinks.search}` };
const groups = { passthrough: `bench.passthrough.${run}`, pg: `bench.sink-postgres.${run}`, search: `bench.sink-search.${run}` };
// The apps' variables: their secrets, and dedupe keys kept an hour instead of the shipped 7 days.
// A run writes ~40k keys under SHA-256 names that no clean-up can find by run, and a few runs a day
// filled the stack's Redis (maxmemory, noeviction) for a week; the run itself lasts minutes.
const appEnv = {
  MESH_ADMIN_TOKEN: randomBytes(16).toString('hex'),
  MESH_CONTROL_SECRET: randomBytes(32).toString('hex'),
  MESH_IDEMPOTENCY_TTL_SECONDS: '3600',
};
const profileDir = path.join(REPO_ROOT, 'dist/bench/profiles', run);
/** With --profile every app writes a V8 CPU profile when it exits. */
const nodeArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
const apps: AppProcess[] = [];
const routerConfigFiles: string[] = [];
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
  log(
    `run ${run}, Kafka client ${KAFKA_CLIENT}, seed ${opts.seed} (repeat with --seed ${opts.seed}): ${opts.records} records of ~${opts.size} B, ${opts.format}, ${opts.tenants} tenants, ${opts.dupPct} % duplicates, ${opts.badPct} % bad`,
  );

  // The shipped tenant limits: every bench tenant and A get the first shipped tenant's, B the second's.
  const shipped = await readShippedLimits();
  const limit = shipped[0]!;
  const limitB = shipped[1 % shipped.length]!;
  const windowMs = (limit.burst / limit.ratePerSec) * 1000;
  // Enough tenants for the highest steady rate (each below its limit).
  const steadyTenants = tenantsBelowLimit(Math.max(opts.rate, ...opts.sweep), limit);
  // The fairness phase's control: A's volume (5 × its rate) from tenants each below its rate.
  const controlTenants = tenantsBelowLimit(5 * limit.ratePerSec, limit);
  const fair = { a: `bench-${run}-a`, b: `bench-${run}-b` };
  const limitsNote = `tenant limits as shipped (${path.relative(REPO_ROOT, SHIPPED_ROUTER_CONFIG)}: ${shipped.map((t) => `${t.from} ${t.ratePerSec}/s, burst ${t.burst}`).join('; ')})`;
  log(
    `${limitsNote}: ${opts.tenants} backlog tenants and ${steadyTenants} steady tenants with ${limit.from}'s, fairness A ${limit.from}'s, B ${limitB.from}'s`,
  );

  // 1. The load, on the raw topic the router will read: a backlog, offered before the router
  //    starts at 80 % of each tenant's rate (its Kafka timestamps), so that draining it parks nothing.
  const plan = backlogPlan(opts, run);
  const kinds = countKinds(plan);
  const backlogPerSec = opts.tenants * limit.ratePerSec * 0.8;
  const stamps = backlogTimestamps(plan.length, backlogPerSec, Date.now());
  const backlogPeak = Math.max(0, ...peakPerKey(tenantsOf(plan), stamps, windowMs).values());
  // Each record carries a traceparent sampled at --trace-ratio, as producers with an SDK write them.
  const messages = withTraceparents(await encodePlan(catalog, opts.format, plan, Date.now(), stamps), opts.traceRatio, opts.seed + 2);
  log(
    `backlog offered over ${Math.round(plan.length / backlogPerSec)} s of record time: at most ${backlogPeak} records of a tenant per ${windowMs / 1000} s (its burst ${limit.burst})`,
  );
  const rawTopic = `test.ingest.raw.${run}`; // spawnRouter's name for the run's raw topic
  const deferredTopic = `test.ingest.deferred.${run}`; // and for its slow lane
  await admin.createTopics({
    topics: [rawTopic, deferredTopic, topics.passthrough, topics.pg, topics.search].map((topic) => ({
      topic,
      numPartitions: opts.partitions,
      replicationFactor: -1,
    })),
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  const producedMs = await phase('producing the load', {}, () => produceAll(producer, rawTopic, messages));
  log(`produced ${messages.length} records in ${producedMs} ms (${Math.round(perSecond(messages.length, producedMs))}/s)`);

  // 2. Baseline: the bare passthrough over the same topic.
  const base = await phase(`baseline: ${KAFKA_CLIENT} passthrough`, { bench: process.pid }, () =>
    passthrough(kafka, admin, rawTopic, topics.passthrough, groups.passthrough),
  );

  // 3. The router drains the same records: validate, dedupe (Redis), route to both sinks.
  const limits = (l: typeof limit) => ({ ratePerSec: l.ratePerSec, burst: l.burst });
  const tenants = {
    ...Object.fromEntries(Array.from({ length: Math.max(opts.tenants, steadyTenants, controlTenants) }, (_, n) => [tenantName(run, n), limits(limit)])),
    [fair.a]: limits(limit),
    [fair.b]: limits(limitB),
  };
  const routerPort = await freePort();
  const spawned = await spawnRouter({
    run,
    port: routerPort,
    config: { tenants, entityTypes: { customer: { sinks: [sinks.pg, sinks.search] } } },
    // The slow lane's waiting records counted every second (default 5 s) for the fairness phase.
    env: { ...appEnv, LOG_LEVEL: 'warn', ROUTER_LANE_SAMPLE_MS: '1000' },
    nodeArgs,
  });
  routerConfigFiles.push(spawned.configFile);
  const router = track('ingest-router', spawned.child, routerPort);
  apps.push(router);
  await waitReady(router);
  const routed = await phase('ingest-router', { 'ingest-router': router.child.pid }, () => measureDrain(admin, spawned.groupId, rawTopic, 900_000));
  const parkedBacklog = await endOffsetTotal(admin, deferredTopic);
  rows.push({
    what: 'ingest-router throughput (1 process, dedupe on)',
    value: perSecond(routed.count, routed.ms),
    unit: 'records/s',
    baseline: { name: `${KAFKA_CLIENT} passthrough`, value: base.perSec },
    target: { value: 20_000, atLeast: true },
    note: `${opts.format}, ~${opts.size} B; a backlog of ${opts.tenants} tenants offered at ≤ ${backlogPeak} per ${windowMs / 1000} s each (burst ${limit.burst}): ${parkedBacklog} parked`,
  });
  if (opts.traceRatio > 0) {
    rows.push(
      ...(await tracedRouterPhase({
        run,
        opts,
        admin,
        producer,
        catalog,
        stamps,
        limits: limits(limit),
        env: { ...appEnv, LOG_LEVEL: 'warn' },
        nodeArgs,
        untraced: { perSec: perSecond(routed.count, routed.ms), cpuCores: usage.get('ingest-router (ingest-router)')?.cpuCores ?? Number.NaN },
        cpuCores: (what) => usage.get(`ingest-router (${what})`)?.cpuCores ?? Number.NaN,
        started: (app, configFile) => {
          apps.push(app);
          routerConfigFiles.push(configFile);
        },
        phase,
      })),
    );
  }

  // 4. sink-postgres drains its topic; then the COPY baseline with as many rows.
  const sinkEnv = { ...appEnv, LOG_LEVEL: 'warn', MESH_CONTROL_TOPIC: `test.mesh.control.router.${run}` };
  const pgSink = spawnApp(
    'sink-postgres',
    await freePort(),
    { ...sinkEnv, DATABASE_URL: env.database, SINK_PG_SCHEMA: schema, SINK_TOPIC: topics.pg, SINK_GROUP_ID: groups.pg },
    nodeArgs,
  );
  apps.push(pgSink);
  await waitReady(pgSink);
  const written = await phase('sink-postgres', { 'sink-postgres': pgSink.child.pid }, () => measureDrain(admin, groups.pg, topics.pg, 900_000));
  const goods = plan.filter((p): p is Extract<typeof p, { kind: 'good' }> => p.kind === 'good');
  const copy = await phase('baseline: COPY', {}, () =>
    copyCustomers(
      env.database,
      schema,
      goods.slice(0, written.count).map((g) => [g.tenant, g.id, String(g.revision), g.name, `${g.id}@example.com`, 'pro']),
    ),
  );
  rows.push({
    what: 'sink-postgres rows (revision-guarded upsert)',
    value: perSecond(written.count, written.ms),
    unit: 'rows/s',
    baseline: { name: 'COPY', value: copy.perSec },
    target: { value: 15_000, atLeast: true },
  });

  // 4b. Late revisions: a second sink-postgres drains four revisions per id in shuffled order.
  rows.push(
    await shuffledRevisionsPhase({
      run,
      records: opts.records,
      size: opts.size,
      seed: opts.seed,
      partitions: opts.partitions,
      admin,
      producer,
      catalog,
      pool,
      schema,
      env: { ...sinkEnv, DATABASE_URL: env.database, SINK_PG_SCHEMA: schema },
      nodeArgs,
      uniquePerSec: perSecond(written.count, written.ms),
      started: (app) => apps.push(app),
      phase,
    }),
  );

  // 5. sink-search drains its topic.
  const searchSink = spawnApp(
    'sink-search',
    await freePort(),
    { ...sinkEnv, SEARCH_URL: env.search, SINK_SEARCH_INDEX_PREFIX: indexPrefix, SINK_TOPIC: topics.search, SINK_GROUP_ID: groups.search },
    nodeArgs,
  );
  apps.push(searchSink);
  await waitReady(searchSink);
  const indexed = await phase('sink-search', { 'sink-search': searchSink.child.pid }, () => measureDrain(admin, groups.search, topics.search, 900_000));
  rows.push({ what: 'sink-search documents (bulk, external versions)', value: perSecond(indexed.count, indexed.ms), unit: 'docs/s' });

  // 6. Steady load with everything running: --rate, then the --sweep rates (steady.ts).
  const pids = { 'ingest-router': router.child.pid, 'sink-postgres': pgSink.child.pid, 'sink-search': searchSink.child.pid };
  const steady = await steadyPhases(
    {
      producer,
      admin,
      rawTopic,
      deferredTopic,
      routerGroup: spawned.groupId,
      pgGroup: groups.pg,
      pgTopic: topics.pg,
      size: opts.size,
      durationSec: opts.durationSec,
      seed: opts.seed + 1,
      run,
      tenantsFor: (rate) => tenantsBelowLimit(rate, limit),
      latencies: (prefix) => latencies(pool, undefined, prefix),
      phase: (what, work) => phase(what, pids, work),
    },
    opts.rate,
    opts.sweep,
  );
  rows.push(...steadyRows(steady, limit.ratePerSec));

  // 7. Fairness: B at half its rate alone, then with A at five times its rate, on the same partitions.
  await waitCaughtUp(admin, groups.search, topics.search, 300_000);
  const fairness = await phase('fairness', pids, () =>
    fairnessPhase(pool, producer, rawTopic, deferredTopic, spawned.groupId, `http://127.0.0.1:${routerPort}`, fair, limit, limitB, controlTenants),
  );
  rows.push(...fairnessRows(fairness));
  await pool.end();
  await producer.disconnect();

  // The apps stop now (a profile is written on exit), the report follows.
  const pidOf = new Map(apps.map((a) => [a.child.pid, a.name]));
  for (const app of apps) await stopApp(app);
  const profiles = opts.profile ? readProfiles(profileDir, pidOf) : [];
  const usageRows = [...usage].map(([name, u]) => `| ${name} | ${u.cpuCores.toFixed(2)} | ${Math.round(u.maxRssMb)} |`);
  const md = [
    `# Bench ${new Date().toISOString()} (run ${run}, Kafka client ${KAFKA_CLIENT}, seed ${opts.seed})`,
    '',
    `${opts.records} records of ~${opts.size} B (${opts.format}; ${kinds.good} good, ${kinds.dup} duplicates, ${kinds.bad} bad), ${opts.tenants} tenants, ${opts.partitions} partitions; the whole stack and the apps on this machine (${(await import('node:os')).cpus().length} cores).`,
    '',
    `Every tenant has the ${limitsNote}. The throughput phases drain a backlog offered within each tenant's limit (Kafka timestamps at 80 % of its rate), each steady phase is spread over enough tenants that each is offered at most 80 % of its rate (its note says how many); in the fairness phase tenant A is offered ${fairness.a.offeredPerSec}/s (${fairness.a.offeredPerSec / fairness.a.ratePerSec}× its rate) for ${fairness.a.offeredSec} s and tenant B ${fairness.b.offeredPerSec}/s for ${fairness.b.offeredSec} s: alone, with A's volume from ${fairness.control.tenants} tenants within their rate (control), and with A.`,
    '',
    markdownTable(rows),
    '',
    `Baselines measured in the same run: ${KAFKA_CLIENT} passthrough ${Math.round(base.perSec)} records/s (${base.count} records in ${base.ms} ms); COPY ${Math.round(copy.perSec)} rows/s (${copy.count} rows in ${copy.ms} ms).`,
    '',
    '| process (phase) | CPU (cores) | max RSS (MB) |',
    '|---|---:|---:|',
    ...usageRows,
    ...profiles,
  ].join('\n');
  const out = path.join(REPO_ROOT, 'dist/bench');
  mkdirSync(out, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '-').slice(0, 19);
  writeFileSync(
    path.join(out, `${stamp}.json`),
    JSON.stringify(
      { run, options: opts, kinds, limits: shipped, rows, baselines: { passthrough: base, copy }, fairness, usage: Object.fromEntries(usage) },
      null,
      2,
    ),
  );
  if (fairness.a.rows !== fairness.a.records || fairness.a.docs !== fairness.a.records || fairness.b.parked > 0) process.exitCode = 1;
  writeFileSync(path.join(out, `${stamp}.md`), `${md}\n`);
  console.log(`\n${md}\n\nWritten to dist/bench/${stamp}.json and .md`);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
  for (const app of apps) if (app.output.length > 0) console.error(`--- ${app.name} (last output)\n${app.output.join('').slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

/** Produce → row latencies (ms) of the rows of `tenant` (any, if undefined) whose id starts with `prefix`. */
async function latencies(pool: pg.Pool, tenant: string | undefined, prefix: string): Promise<number[]> {
  const { rows: found } = await pool.query<{ ms: number }>(
    `SELECT (EXTRACT(EPOCH FROM (updated_at - occurred_at)) * 1000)::float8 AS ms FROM "${schema}".customers WHERE id LIKE $1 AND ($2::text IS NULL OR tenant = $2)`,
    [`${prefix}%`, tenant ?? null],
  );
  return found.map((r) => r.ms);
}

async function rowCount(pool: pg.Pool, tenant: string, prefix: string): Promise<number> {
  const { rows: found } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".customers WHERE tenant = $1 AND id LIKE $2`, [
    tenant,
    `${prefix}%`,
  ]);
  return Number(found[0]?.n ?? 0);
}

/** Documents of a tenant's customer index (every one of its ids; the index is the run's). */
async function docCount(tenant: string): Promise<number> {
  const index = `${indexPrefix}${tenant}-customer`;
  await fetch(`${env.search}/${index}/_refresh`, { method: 'POST' }).catch(() => undefined);
  const res = await fetch(`${env.search}/${index}/_count`).catch(() => undefined);
  return res?.status === 200 ? ((await res.json()) as { count: number }).count : 0;
}

async function until(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() > deadline) {
      log(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Phase 7. B offered half its rate for --fair-duration seconds alone; then again, with A offered
 * five times its rate for the first half of that. B's latency both times (produce → row); from
 * A's first record until all of A's rows and documents are in the sinks; what each had parked.
 */
async function fairnessPhase(
  pool: pg.Pool,
  producer: Producer,
  rawTopic: string,
  deferredTopic: string,
  routerGroup: string,
  routerUrl: string,
  fair: { a: string; b: string },
  limitA: { ratePerSec: number; burst: number },
  limitB: { ratePerSec: number; burst: number },
  controlTenants: number,
): Promise<FairnessResult> {
  const bPerSec = limitB.ratePerSec / 2;
  const aPerSec = limitA.ratePerSec * 5;
  const aSec = opts.fairSec / 2;
  const bCount = Math.round(bPerSec * opts.fairSec);
  const aCount = Math.round(aPerSec * aSec);
  const b = (prefix: string) =>
    produceAtRate(producer, rawTopic, (i, now) => stampedJson(fair.b, `${prefix}${i}`, paddedName(i, opts.size), now), bCount, bPerSec);
  const bArrived = (prefix: string) => until(`B's ${prefix} rows`, async () => (await rowCount(pool, fair.b, prefix)) >= bCount, 120_000);

  const parkedBefore = await endOffsetTotal(admin, deferredTopic);
  log(`fairness: B (${fair.b}) alone at ${bPerSec}/s for ${opts.fairSec} s`);
  await b('fb1-');
  await bArrived('fb1-');
  const alone = distribution(await latencies(pool, fair.b, 'fb1-'));

  // Control: the same volume as A's, from tenants each below its rate (nothing to park).
  log(`fairness: B at ${bPerSec}/s for ${opts.fairSec} s with ${aPerSec}/s for ${aSec} s from ${controlTenants} tenants within their rate (control)`);
  const controlDone = produceAtRate(
    producer,
    rawTopic,
    (i, now) => stampedJson(tenantName(run, i % controlTenants), `fc-${i}`, paddedName(i, opts.size), now),
    aCount,
    aPerSec,
  );
  await b('fbc-');
  await bArrived('fbc-');
  const withControl = distribution(await latencies(pool, fair.b, 'fbc-'));
  await controlDone;
  await until(
    'the control load in PostgreSQL',
    async () => {
      const { rows: found } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".customers WHERE id LIKE 'fc-%'`);
      return Number(found[0]?.n ?? 0) >= aCount;
    },
    300_000,
  );
  await waitCaughtUp(admin, groups.search, topics.search, 300_000);
  const parkedBeforeA = await endOffsetTotal(admin, deferredTopic);

  log(`fairness: B at ${bPerSec}/s for ${opts.fairSec} s with A (${fair.a}) at ${aPerSec}/s for ${aSec} s: ${aCount} records`);
  let maxWaiting = 0;
  let maxRawLag = 0;
  let [waitingNow, rawLagNow, ticks] = [0, 0, 0];
  const started = Date.now();
  const watching = setInterval(() => {
    void fetch(`${routerUrl}/health/detailed`)
      .then(async (res) => ((await res.json()) as { deferred?: { tenants: Record<string, { waiting: number }> } }).deferred?.tenants[fair.a]?.waiting ?? 0)
      .then((w) => (maxWaiting = Math.max(maxWaiting, (waitingNow = w))))
      .catch(() => undefined);
    void lagOf(admin, routerGroup, rawTopic)
      .then((lag) => (maxRawLag = Math.max(maxRawLag, (rawLagNow = lag))))
      .catch(() => undefined);
    // A timeline in the log: the router's backlog on the raw topic, A's records waiting on the slow lane.
    if (++ticks % 4 === 0) log(`fairness t+${Math.round((Date.now() - started) / 1000)}s: raw backlog ${rawLagNow}, A waiting ${waitingNow}`);
  }, 500);
  let allInSinksMs: number | null = null;
  const aDone = (async () => {
    await produceAtRate(producer, rawTopic, (i, now) => stampedJson(fair.a, `fa-${i}`, paddedName(i, opts.size), now), aCount, aPerSec);
    const timeoutMs = ((aCount / limitA.ratePerSec) * 3 + 120) * 1000;
    if (
      await until("all of A's rows and documents", async () => (await rowCount(pool, fair.a, 'fa-')) >= aCount && (await docCount(fair.a)) >= aCount, timeoutMs)
    )
      allInSinksMs = Date.now() - started;
  })();
  await b('fb2-');
  await bArrived('fb2-');
  const withA = distribution(await latencies(pool, fair.b, 'fb2-'));
  log(`fairness: B done (p99 ${Math.round(withA.p99)} ms, alone ${Math.round(alone.p99)} ms); waiting for all of A's records in the sinks`);
  await aDone;
  clearInterval(watching);
  const parked = await countByTenant(kafka, admin, deferredTopic);
  return {
    a: {
      tenant: fair.a,
      ...limitA,
      offeredPerSec: aPerSec,
      offeredSec: aSec,
      records: aCount,
      parked: parked.get(fair.a) ?? 0,
      maxWaiting,
      maxRawLag,
      allInSinksMs,
      rows: await rowCount(pool, fair.a, 'fa-'),
      docs: await docCount(fair.a),
    },
    b: {
      tenant: fair.b,
      ratePerSec: limitB.ratePerSec,
      offeredPerSec: bPerSec,
      offeredSec: opts.fairSec,
      alone,
      withControl,
      withA,
      parked: parked.get(fair.b) ?? 0,
    },
    control: { tenants: controlTenants, perSec: aPerSec, records: aCount, parked: parkedBeforeA - parkedBefore },
  };
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
  const groupList = (await admin.listGroups().catch(() => ({ groups: [] as { groupId: string }[] }))).groups
    .map((g) => g.groupId)
    .filter((g) => g.includes(run));
  if (groupList.length > 0) await admin.deleteGroups(groupList).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
  const pool = new pg.Pool({ connectionString: env.database, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
  await fetch(`${env.search}/${indexPrefix}*`, { method: 'DELETE' }).catch(() => undefined);
  await fetch(`${env.search}/_index_template/${indexPrefix}*`, { method: 'DELETE' }).catch(() => undefined);
  for (const file of routerConfigFiles) rmSync(file, { force: true });
}
