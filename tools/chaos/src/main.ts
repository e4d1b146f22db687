// `npm run chaos`: the mesh under load on a stack of its own while a seeded schedule kills and
// restarts Kafka, PostgreSQL, Redis, the search engine and every app; then every record is
// reconciled (see reconcile.ts). Exit 0 only when nothing was lost, doubled or left unexplained.
//   1. stack.sh up (own home, own ports, the main stack's artifacts), topics, schemas;
//   2. ingest-router and three sinks as supervised processes (restarted whenever they end);
//   3. the load at a steady rate for --duration while the schedule runs, with one tenant offered a
//      burst at several times its (shipped) rate limit, so the router parks it on its slow lane;
//   4. wait (bounded by --drain) until every consumer group has caught up and the slow lane is
//      drained; reconcile (records still waiting on the slow lane count as waiting, not lost);
//   5. print the summary and the seed, write dist/chaos/<time>.json, tear everything down.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kafkaClientKind } from '@ingest-mesh/kafka-client';
import { registerSchemas, createSchemaRegistry } from '@ingest-mesh/avro';
import { freePort, REPO_ROOT } from '@ingest-mesh/testing';
import pg from 'pg';
import { ChaosStack } from './chaos-stack.js';
import { runSchedule, type FaultLog } from './executor.js';
import { BURST_SHAPE, envelope, expectations, paceLoad, peakPerWindow, planBurst, planLoad, tenantName } from './load-plan.js';
import { appSpecs, DEFERRED_TOPIC, GROUPS, INDEX_PREFIX, PG_SCHEMA, RAW_TOPIC, ROUTER_GROUP, SINK_TOPICS } from './mesh-config.js';
import { admin, readDlq, readIndex, readSlowLane, readTables, routerWaiting, waitCaughtUp } from './observe.js';
import { parseChaosOptions, USAGE, type ChaosOptions } from './options.js';
import { produceUnderChaos } from './producer.js';
import { reconcile, summaryTable, type Summary } from './reconcile.js';
import { APPS, describeEvent, planSchedule } from './schedule.js';
import { Supervised } from './supervisor.js';
import { limitsForTenants, readShippedLimits, SHIPPED_ROUTER_CONFIG } from './tenant-limits.js';

let opts: ChaosOptions;
try {
  opts = parseChaosOptions(process.argv.slice(2));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

const runStarted = Date.now();
const stamp = new Date(runStarted).toISOString().replaceAll(':', '-').slice(0, 19);
const outDir = path.join(REPO_ROOT, 'dist/chaos');
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
const replay = `--seed ${opts.seed}${opts.short ? ' --short' : ''} --duration ${opts.durationSec} --ids ${opts.ids} --revisions ${opts.revisions}`;
log(`seed ${opts.seed} (replay: npm run chaos -- ${replay})`);
log(`Kafka client of every app and of this run: ${kafkaClientKind()} (MESH_KAFKA_CLIENT)`);

const schedule = planSchedule({ seed: opts.seed, durationMs: opts.durationSec * 1000, short: opts.short });
// Two tenants with the shipped limits (acme's, globex's): chaos-t0 is offered a burst at several
// times its rate on top of the steady load, chaos-t1 only the steady load, far below its rate.
const TENANTS = 2;
const limits = limitsForTenants(await readShippedLimits(), TENANTS);
const loadMs = opts.durationSec * 1000 * 0.85;
const steadyPlan = planLoad({ seed: opts.seed, ids: opts.ids, revisions: opts.revisions, tenants: TENANTS, dupPct: 3, poison: 5 });
const burstLimits = limits[0]!;
const burst = {
  records: planBurst({ tenant: tenantName(0), records: BURST_SHAPE.timesBurst * burstLimits.burst, revisions: 2 }),
  atMs: Math.round(loadMs * BURST_SHAPE.atFraction),
  ratePerSec: BURST_SHAPE.timesRate * burstLimits.ratePerSec,
};
const paced = paceLoad(steadyPlan, loadMs, burst);
const plan = paced.map((p) => p.planned);
const expected = expectations(plan);
const distinct = plan.filter((p) => !p.dup).length;
for (const e of schedule) log(`planned: ${describeEvent(e)}`);
log(
  `tenant limits from ${path.relative(REPO_ROOT, SHIPPED_ROUTER_CONFIG)}: ${limits.map((l, n) => `${tenantName(n)} = ${l.from}'s ${l.ratePerSec}/s, burst ${l.burst}`).join('; ')}`,
);
log(
  `planned: t+${(burst.atMs / 1000).toFixed(1)}s burst of ${burst.records.length} records of ${tenantName(0)} at ${burst.ratePerSec}/s (${BURST_SHAPE.timesRate}× its rate)`,
);

const stack = await ChaosStack.create();
const apps = new Map<string, Supervised>();
let summary: Summary | undefined;
let faults: FaultLog[] = [];
let lags: Record<string, number> = {};
let producerRetries = 0;
let failure: string | undefined;
const interrupt = () => {
  failure = 'interrupted';
  void shutdown().then(() => process.exit(130));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

try {
  // The registry is the ambient stack's (see chaos-stack.ts): fail before starting anything without it.
  await registerSchemas(createSchemaRegistry({ host: stack.endpoints.SCHEMA_REGISTRY_URL })).catch((err: unknown) => {
    throw new Error(
      `the schema registry at ${stack.endpoints.SCHEMA_REGISTRY_URL} (SCHEMA_REGISTRY_URL) did not take the mesh's schemas: ${(err as Error).message}; start it (npm run stack:up) or point SCHEMA_REGISTRY_URL at one`,
    );
  });
  log(
    `starting the chaos stack under ${stack.home} (Kafka ${stack.endpoints.KAFKA_BROKERS}, PostgreSQL ${stack.endpoints.DATABASE_URL}, Redis ${stack.endpoints.REDIS_URL}, search ${stack.endpoints.SEARCH_URL})`,
  );
  await Promise.all([stack.up('postgres', 'redis', 'kafka'), stack.up('search')]);
  log(`stack up after ${Math.round((Date.now() - runStarted) / 1000)} s`);
  const brokers = stack.endpoints.KAFKA_BROKERS.split(',');
  const a = admin(brokers);
  await a.connect();
  await a.createTopics({
    topics: [RAW_TOPIC, DEFERRED_TOPIC, ...Object.values(SINK_TOPICS)].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  const db = new pg.Client({ connectionString: stack.endpoints.DATABASE_URL });
  await db.connect();
  await db.query(`CREATE SCHEMA IF NOT EXISTS "${PG_SCHEMA}"`);
  await db.end();

  const ports = Object.fromEntries(await Promise.all(APPS.map(async (n) => [n, await freePort()] as const))) as Record<(typeof APPS)[number], number>;
  for (const spec of appSpecs(stack.home, stack.endpoints, limits, ports)) apps.set(spec.name, new Supervised(spec, path.join(stack.home, 'logs/apps')));
  // One after the other: the sinks' migrations take one advisory lock, and a ready sink before the router.
  for (const app of apps.values()) {
    app.start();
    if (!(await app.ready(120_000))) throw new Error(`${app.spec.name} not ready within 120 s; see ${app.logFile}`);
  }
  log(
    `apps ready; load: ${plan.length} records (${opts.ids} ids × ${opts.revisions} revisions, ${plan.filter((p) => p.dup).length} duplicates, ${plan.filter((p) => p.poison && !p.dup).length} poison, a burst of ${burst.records.length}) over ${opts.durationSec} s`,
  );

  const baseMs = Date.UTC(2026, 0, 1);
  const messages = paced.map((p) => ({ message: envelope(p.planned, baseMs), dueMs: p.dueMs }));
  const startedAt = Date.now();
  const [produced, fired] = await Promise.all([produceUnderChaos(brokers, RAW_TOPIC, messages, log), runSchedule(schedule, stack, apps, startedAt, log)]);
  faults = fired;
  producerRetries = produced.retries;
  log(
    `load done: ${produced.acked} acknowledged (${produced.retries} retried sends) in ${Math.round((Date.now() - startedAt) / 1000)} s; waiting for the groups to catch up (at most ${opts.drainSec} s)`,
  );
  // Make sure nothing is still down from the last fault, and every app is serving.
  await stack.up('postgres', 'redis', 'kafka', 'search');
  // Caught up includes the slow lane: the router's group at the end of ingest.deferred, and the
  // router's own count of waiting records (its ledger) at 0.
  const routerUrl = `http://127.0.0.1:${ports['ingest-router']}`;
  const slowLaneCount = async () => ({
    'slow lane (router count)': await routerWaiting(routerUrl)
      .then((w) => Object.values(w).reduce((x, y) => x + y, 0))
      .catch(() => -1),
  });
  lags = await waitCaughtUp(a, GROUPS, opts.drainSec * 1000, log, slowLaneCount);
  const rawRecords = (await a.fetchTopicOffsets(RAW_TOPIC)).reduce((s, p) => s + Number(p.high), 0);
  const dlq = await readDlq(brokers, a);
  const parked = await readSlowLane(brokers, a, DEFERRED_TOPIC, ROUTER_GROUP);
  const reported = await routerWaiting(routerUrl).catch(() => null);
  await a.disconnect();
  const tables = await readTables(stack.endpoints.DATABASE_URL, PG_SCHEMA);
  const index = await readIndex(stack.endpoints.SEARCH_URL, INDEX_PREFIX);
  // What each tenant was offered at most in one window of its limit, from the acknowledged sends' timestamps.
  const offeredAt = new Map<string, number[]>();
  plan.forEach((p, i) => {
    const times = offeredAt.get(p.tenant) ?? [];
    times.push(produced.offeredAt[i]!);
    offeredAt.set(p.tenant, times);
  });
  const tenants = Object.fromEntries(
    limits.map((l, n) => [
      tenantName(n),
      { ratePerSec: l.ratePerSec, burst: l.burst, peakOffered: peakPerWindow(offeredAt.get(tenantName(n)) ?? [], (l.burst / l.ratePerSec) * 1000) },
    ]),
  );
  summary = reconcile({
    sent: produced.acked,
    rawRecords,
    expected,
    distinct,
    upsert: tables.upsert,
    history: tables.history,
    index,
    dlq,
    slowLane: { parked, reported, tenants },
  });
  if (Object.values(lags).some((l) => l !== 0)) {
    const lane = (lags[`${ROUTER_GROUP} ${DEFERRED_TOPIC}`] ?? 0) !== 0 || (lags['slow lane (router count)'] ?? 0) !== 0;
    failure = `the consumer groups did not catch up within ${opts.drainSec} s: ${JSON.stringify(lags)}${lane ? ` (records still waiting on the slow lane ${DEFERRED_TOPIC} are counted as waiting, not lost)` : ''}`;
  }
} catch (err) {
  failure = (err as Error).stack ?? String(err);
}
await shutdown();
report();
process.exit(failure === undefined && summary?.ok === true ? 0 : 1);

async function shutdown(): Promise<void> {
  await Promise.all([...apps.values()].map((app) => app.stop()));
  // A failed run keeps its evidence: the logs of the stack and of every app start, next to the report.
  // (A run that failed before the stack started has no logs: the failure itself is the evidence.)
  const logs = path.join(stack.home, 'logs');
  if ((failure !== undefined || summary?.ok === false) && existsSync(logs)) cpSync(logs, path.join(outDir, `${stamp}-logs`), { recursive: true, force: true });
  await stack.destroy(opts.keep);
}

function report(): void {
  const appStats = Object.fromEntries([...apps].map(([name, app]) => [name, { starts: app.starts, kills: app.kills, unexpectedExits: app.unexpectedExits }]));
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${stamp}.json`);
  const failed = failure !== undefined || summary?.ok === false;
  writeFileSync(
    file,
    JSON.stringify(
      {
        seed: opts.seed,
        replay,
        options: opts,
        summary,
        faults,
        lags,
        producerRetries,
        apps: appStats,
        failure,
        logs: failed ? `dist/chaos/${stamp}-logs` : undefined,
        seconds: Math.round((Date.now() - runStarted) / 1000),
      },
      null,
      2,
    ),
  );
  console.log('');
  for (const f of faults)
    console.log(
      `  ${describeEvent(f.event)}: fired t+${(f.firedAt / 1000).toFixed(1)}s${f.backAt === undefined ? '' : `, back t+${(f.backAt / 1000).toFixed(1)}s`}${f.error ? `, ERROR ${f.error}` : ''}`,
    );
  console.log(
    `  apps: ${Object.entries(appStats)
      .map(([n, s]) => `${n} ${s.starts} starts (${s.kills} killed, ${s.unexpectedExits} exited on their own)`)
      .join('; ')}`,
  );
  if (summary) {
    console.log(`\n${summaryTable(summary)}\n`);
    for (const l of summary.lostIdentities.slice(0, 20))
      console.log(`  lost: ${l.key} latest ${l.latest}: table ${l.upsert ?? '-'}, history ${l.history ?? '-'}, index ${l.index ?? '-'}`);
    for (const l of summary.waitingIdentities.slice(0, 10))
      console.log(`  waiting: ${l.key} latest ${l.latest}: table ${l.upsert ?? '-'}, history ${l.history ?? '-'}, index ${l.index ?? '-'}`);
    for (const d of [...summary.rateFindings, ...summary.doubledDetails, ...summary.gapDetails].slice(0, 20)) console.log(`  ${d}`);
  }
  if (failure !== undefined) console.log(`\nchaos run failed: ${failure}`);
  if (failed) console.log(`logs of the stack and the apps: dist/chaos/${stamp}-logs (apps/<name>.log)`);
  if (opts.keep) console.log(`chaos stack home kept: ${stack.home}`);
  console.log(`seed ${opts.seed} — replay: MESH_KAFKA_CLIENT=${kafkaClientKind()} npm run chaos -- ${replay}`);
  console.log(`written to ${path.relative(REPO_ROOT, file)} (${Math.round((Date.now() - runStarted) / 1000)} s)`);
  console.log(
    `chaos-summary: ${JSON.stringify({ ok: failure === undefined && summary?.ok === true, seed: opts.seed, ...(summary ? { sent: summary.sent, ids: summary.ids, applied: summary.applied, deduplicated: summary.deduplicated, deadLettered: summary.deadLettered, parked: summary.parked, waiting: summary.waiting, waitingRecords: summary.waitingRecords, lost: summary.lost, doubled: summary.doubled, historyGaps: summary.historyGaps, unexplainedDlq: summary.unexplainedDlq, rateFindings: summary.rateFindings.length } : {}) })}`,
  );
}
