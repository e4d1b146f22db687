// The variables every sink app reads, whatever it writes to: the runtime's (kafka-runtime) plus
// where the sink reads from, how it treats infrastructure failures and late revisions. One shape for all sinks,
// so operators configure sink-postgres, sink-search and every generated sink the same way.
import { env, parseEnv } from '@ingest-mesh/env-config';
import { runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import type { SinkAppOptions } from './sink-app.js';

export const sinkEnvShape = {
  ...runtimeEnvShape,
  /** The sink topic read; default sink.<sink name> (ingest-router writes sink.<sink name>). */
  SINK_TOPIC: env.optionalString(),
  /** Consumer group override; default mesh.<app>. */
  SINK_GROUP_ID: env.optionalString(),
  /** Dead-letter records whose writes keep failing on the infrastructure; default: wait for the sink. */
  SINK_DEAD_LETTER_INFRASTRUCTURE_FAILURES: env.bool(false),
  /**
   * A record older than the revision the store holds: `dlq` (default) dead-letters it as
   * OLDER_REVISION; `skip` skips it (final, not a failure, nothing dead-lettered), counted in
   * ingest_older_revisions_total{action="skip"}.
   */
  SINK_OLDER_REVISION: env.oneOf(['dlq', 'skip'] as const, 'dlq'),
  /** How long the breaker stays open before a probe batch. */
  SINK_CIRCUIT_RESET_MS: env.int(100, 3_600_000, 30_000),
};

export type SinkEnv = ReturnType<typeof loadSinkEnv>;

export function loadSinkEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(sinkEnvShape, source);
}

/** The runner's options that come from the sink variables (the app adds app, sink, details). */
export function sinkAppSettings(
  e: SinkEnv,
  sinkName: string,
): Pick<SinkAppOptions, 'topics' | 'groupId' | 'deadLetterInfrastructureFailures' | 'olderRevision' | 'circuit' | 'env'> {
  return {
    env: e,
    topics: [e.SINK_TOPIC ?? `sink.${sinkName}`],
    deadLetterInfrastructureFailures: e.SINK_DEAD_LETTER_INFRASTRUCTURE_FAILURES,
    olderRevision: e.SINK_OLDER_REVISION,
    circuit: { resetTimeoutMs: e.SINK_CIRCUIT_RESET_MS },
    ...(e.SINK_GROUP_ID ? { groupId: e.SINK_GROUP_ID } : {}),
  };
}
