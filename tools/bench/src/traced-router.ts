// The bench's tracing phase: what traces cost the router. A second router, tracing on, drains a
// backlog of its own — the same plan under other tenants and ids (nothing in it is a duplicate of
// the first router's), the same Kafka timestamps, traceparents sampled at the same ratio — routed
// to two topics nobody reads, while its spans go over OTLP/HTTP to a local receiver.
import type { SchemaCatalog } from '@ingest-mesh/avro';
import type { Admin, Producer } from '@ingest-mesh/kafka-client';
import { freePort, spawnRouter, startOtlpReceiver } from '@ingest-mesh/testing';
import { stopApp, track, waitReady, type AppProcess } from './apps.js';
import { measureDrain, produceAll, type Drain } from './kafka-io.js';
import { encodePlan, withTraceparents } from './load-messages.js';
import { backlogPlan, tenantName } from './load-plan.js';
import type { BenchOptions } from './options.js';
import type { Row } from './report.js';
import { perSecond } from './stats.js';

export interface TracedRouterRun {
  run: string;
  opts: BenchOptions;
  admin: Admin;
  producer: Producer;
  catalog: SchemaCatalog;
  /** The Kafka timestamps of the first backlog (offered within every tenant's limit). */
  stamps: readonly number[];
  limits: { ratePerSec: number; burst: number };
  env: Record<string, string>;
  nodeArgs: string[];
  /** The untraced router in this run, the baseline: its records/s and CPU cores. */
  untraced: { perSec: number; cpuCores: number };
  /** The CPU cores the router used in a phase of this run. */
  cpuCores(phase: string): number;
  /** Registers the router for the bench's clean-up and CPU sampling. */
  started(app: AppProcess, configFile: string): void;
  phase(what: string, pids: Record<string, number | undefined>, work: () => Promise<Drain>): Promise<Drain>;
}

export async function tracedRouterPhase(c: TracedRouterRun): Promise<Row[]> {
  const { opts } = c;
  const run = `${c.run}t`;
  const plan = backlogPlan(opts, run);
  const messages = withTraceparents(await encodePlan(c.catalog, opts.format, plan, Date.now(), c.stamps), opts.traceRatio, opts.seed + 2);
  const sampled = messages.filter((m) => String(m.headers?.['traceparent']).endsWith('-01')).length;
  const rawTopic = `test.ingest.raw.${run}`; // spawnRouter's names for the run
  const sinkTopics = [`sink.bench${run}pg`, `sink.bench${run}search`];
  await c.admin.createTopics({
    topics: [rawTopic, `test.ingest.deferred.${run}`, ...sinkTopics].map((topic) => ({ topic, numPartitions: opts.partitions, replicationFactor: -1 })),
    waitForLeaders: true,
  });
  await produceAll(c.producer, rawTopic, messages);

  const receiver = await startOtlpReceiver();
  try {
    const port = await freePort();
    const spawned = await spawnRouter({
      run,
      port,
      config: {
        tenants: Object.fromEntries(Array.from({ length: opts.tenants }, (_, n) => [tenantName(run, n), c.limits])),
        entityTypes: { customer: { sinks: sinkTopics.map((t) => t.slice('sink.'.length)) } },
      },
      env: {
        ...c.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(opts.traceRatio),
      },
      nodeArgs: c.nodeArgs,
    });
    const router = track('ingest-router (tracing on)', spawned.child, port);
    c.started(router, spawned.configFile);
    await waitReady(router);
    const drained = await c.phase('ingest-router, tracing on', { 'ingest-router': router.child.pid }, () =>
      measureDrain(c.admin, spawned.groupId, rawTopic, 900_000),
    );
    await stopApp(router); // its last spans are exported on the way out
    const kb = Math.round(receiver.bytes / 1024);
    const perSec = perSecond(drained.count, drained.ms);
    const cpuPer10k = (cores: number, recordsPerSec: number) => (cores * 10_000) / recordsPerSec;
    const traced = cpuPer10k(c.cpuCores('ingest-router, tracing on'), perSec);
    const untraced = cpuPer10k(c.untraced.cpuCores, c.untraced.perSec);
    return [
      {
        what: `ingest-router throughput, tracing on (${opts.traceRatio * 100} % sampled)`,
        value: perSec,
        unit: 'records/s',
        baseline: { name: 'ingest-router, tracing off', value: c.untraced.perSec },
        note: `parentbased_traceidratio ${opts.traceRatio}; ${sampled} of ${messages.length} records carried a sampled traceparent; ${receiver.spans.length} spans in ${receiver.requests} OTLP/HTTP protobuf exports (${kb} KiB) to a local receiver`,
      },
      // Throughput moves with what else the machine does; CPU per record is the cost itself.
      { what: 'ingest-router CPU per 10k records, tracing on', value: traced, unit: 'CPU-s', baseline: { name: 'tracing off', value: untraced } },
    ];
  } finally {
    await receiver.close();
  }
}
