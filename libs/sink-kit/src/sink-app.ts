// Runs a Sink as a mesh app on kafka-runtime: its sink.<name> topic in rounds (count, bytes,
// linger), decoded SinkRecords, one writeBatch per round through a breaker named after the sink
// (open = consumption paused), outcomes to commit / DLQ / in-place retry, health and shutdown.
import { SchemaCatalog } from '@ingest-mesh/avro';
import { SinkCircuit, type SinkCircuitOptions } from '@ingest-mesh/circuit';
import { parseEnv, runtimeEnvShape, startMeshApp, stopOnSignals, type MeshApp, type RuntimeEnv, type TopicSpec } from '@ingest-mesh/kafka-runtime';
import { classify } from '@ingest-mesh/reason-codes';
import type { OlderRevisionAction } from '@ingest-mesh/telemetry';
import { SinkRecordDecoder } from './decode.js';
import { SinkHandler, type SinkStats } from './sink-handler.js';
import { loadSinkEnv, sinkAppSettings, type SinkEnv } from './sink-env.js';
import type { Sink, SinkHealth } from './sink.js';

/** Breaker settings of the sink (libs/circuit); defaults there: 30 s reset, 5 calls, 50 %. */
export type SinkAppCircuitOptions = Pick<
  SinkCircuitOptions,
  'resetTimeoutMs' | 'volumeThreshold' | 'errorThresholdPercentage' | 'rollingCountTimeoutMs' | 'timeoutMs'
>;

export interface SinkAppOptions {
  /** The app name: consumer group mesh.<app>, DLQ dlq.<app>. */
  app: string;
  sink: Sink;
  /** Default [`sink.${sink.name}`]. */
  topics?: string[];
  /**
   * false (default): records whose writes keep failing on the infrastructure (CONNECTION_ERROR,
   * SINK_TIMEOUT) are retried until the sink is back, never dead-lettered (MESH_EXHAUSTED_RETRIES
   * is forced to `block`). true: once MESH_RETRY_MAX_ATTEMPTS are spent they go to the DLQ with
   * retryable=true (`dlq`), for the redriver to bring back.
   */
  deadLetterInfrastructureFailures?: boolean;
  /**
   * A record older than the revision the store holds (replays, resends, producers writing a key
   * from several partitions): 'dlq' (default) dead-letters it as OLDER_REVISION, non-retryable;
   * 'skip' makes it final as skipped (not a failure, nothing in the DLQ). Counted either way:
   * ingest_older_revisions_total{action} and stats().olderRevision.
   */
  olderRevision?: OlderRevisionAction;
  circuit?: SinkAppCircuitOptions;
  env?: RuntimeEnv;
  groupId?: string;
  /** Extra fields for /health/detailed. */
  details?: () => Promise<Record<string, unknown>>;
  /** How long /health/detailed waits for sink.health(); default 2000 ms. */
  healthTimeoutMs?: number;
}

export interface SinkApp extends MeshApp {
  readonly sink: Sink;
  readonly circuit: SinkCircuit;
  stats(): SinkStats;
}

const DEFAULT_HEALTH_TIMEOUT_MS = 2000;

/** Starts the sink app; stop() shuts it down gracefully (no signal handling: see runSinkApp). */
export async function startSinkApp(opts: SinkAppOptions): Promise<SinkApp> {
  const env = sinkRuntimeEnv(opts.env ?? parseEnv(runtimeEnvShape), opts.deadLetterInfrastructureFailures ?? false);
  const { sink } = opts;
  const topics = opts.topics ?? [`sink.${sink.name}`];
  const circuit = new SinkCircuit({ name: sink.name, ...opts.circuit });
  const olderRevision = opts.olderRevision ?? 'dlq';
  let handler: SinkHandler | undefined;
  let app: MeshApp;
  try {
    app = await startMeshApp({
      app: opts.app,
      topics,
      env,
      ...(opts.groupId ? { groupId: opts.groupId } : {}),
      // The runtime pauses consumption while this breaker is open and reports it in /health/detailed.
      circuits: [circuit],
      ensureTopics: topics.map((topic): TopicSpec => ({ topic })),
      build: async (ctx) => {
        await sink.connect();
        const catalog = new SchemaCatalog({ registry: ctx.registry });
        const built = new SinkHandler({ sink, circuit, decoder: new SinkRecordDecoder(catalog), olderRevision, metrics: ctx.metrics });
        handler = built;
        ctx.logger.info(
          { sink: sink.name, topics, deadLetterInfrastructureFailures: opts.deadLetterInfrastructureFailures ?? false, olderRevision },
          'sink connected',
        );
        return {
          handler: built,
          details: async () => ({
            sink: {
              name: sink.name,
              health: await healthWithin(sink, opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS),
              stats: built.stats(),
              deadLetterInfrastructureFailures: opts.deadLetterInfrastructureFailures ?? false,
              olderRevision,
            },
            ...(opts.details ? await opts.details() : {}),
          }),
          close: () => sink.close(),
        };
      },
    });
  } catch (err) {
    circuit.shutdown();
    await sink.close().catch(() => undefined);
    throw err;
  }
  // The runtime's MeshApp is a plain object of values and closures: spread it.
  return { ...app, sink, circuit, stats: () => handler!.stats() };
}

/**
 * The runtime settings a sink runs with: exhausted retries block (retry at the cap until the sink
 * is back) unless infrastructure failures are to be dead-lettered.
 */
export function sinkRuntimeEnv(env: RuntimeEnv, deadLetterInfrastructureFailures: boolean): RuntimeEnv {
  return { ...env, MESH_EXHAUSTED_RETRIES: deadLetterInfrastructureFailures ? 'dlq' : 'block' };
}

export interface RunSinkAppOptions extends Pick<SinkAppOptions, 'app' | 'sink' | 'details' | 'healthTimeoutMs'> {
  /** Default: loadSinkEnv() (SINK_TOPIC, SINK_GROUP_ID, SINK_DEAD_LETTER_INFRASTRUCTURE_FAILURES, SINK_OLDER_REVISION…). */
  env?: SinkEnv;
}

/**
 * Runs the sink app with the settings of the sink variables until SIGTERM/SIGINT, then stops it
 * within MESH_SHUTDOWN_DEADLINE_MS. This is all a sink's main.ts needs after building its Sink.
 */
export async function runSinkApp(opts: RunSinkAppOptions): Promise<SinkApp> {
  const env = opts.env ?? loadSinkEnv();
  const app = await startSinkApp({ ...opts, ...sinkAppSettings(env, opts.sink.name) });
  stopOnSignals(app, env.MESH_SHUTDOWN_DEADLINE_MS);
  return app;
}

/** sink.health(), bounded: a hanging or failing check reports ok=false instead of stalling /health/detailed. */
async function healthWithin(sink: Sink, timeoutMs: number): Promise<SinkHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SinkHealth>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, details: { error: `health check did not answer within ${timeoutMs} ms` } }), timeoutMs);
  });
  try {
    return await Promise.race([sink.health(), timeout]);
  } catch (err) {
    return { ok: false, details: { error: classify(err).message } };
  } finally {
    clearTimeout(timer);
  }
}
