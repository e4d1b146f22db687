// The coordinator's own variables (beside the runtime's), validated at start-up: a bad value
// stops the app naming the variable.
import { endpointEnv, env, parseEnv } from '@ingest-mesh/env-config';
import { runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import type { z } from 'zod';

export const APP = 'replay-coordinator';

export const coordinatorEnvShape = {
  ...runtimeEnvShape,
  DATABASE_URL: endpointEnv.DATABASE_URL,
  REPLAY_SCHEMA: env
    .string('mesh_replay')
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lower-case schema name such as mesh_replay' })
    .default('mesh_replay'),
  // Plans whose window holds more records than this need `replayctl approve <id> --rfa …`.
  REPLAY_APPROVAL_THRESHOLD: env.int(0, Number.MAX_SAFE_INTEGER, 10_000),
  // The highest --throttle a plan may ask for (records/s); 0 in a plan means unthrottled and is
  // allowed only when REPLAY_ALLOW_UNTHROTTLED is true.
  REPLAY_MAX_THROTTLE: env.int(1, 1_000_000, 10_000),
  REPLAY_ALLOW_UNTHROTTLED: env.bool(false),
  // What one fetch of a run brings per partition (kafkajs maxBytesPerPartition).
  REPLAY_FETCH_MAX_BYTES: env.int(1024, 1024 * 1024 * 1024, 1024 * 1024),
  // Records read per checkpoint (one produce + one PostgreSQL transaction).
  REPLAY_BATCH_RECORDS: env.int(1, 10_000, 500),
  // A run's lease: renewed every third of it; an instance that stops renewing (SIGKILL) loses
  // the run to another instance (or its own restart) this long after its last renewal.
  REPLAY_LEASE_MS: env.int(1000, 3_600_000, 30_000),
  // How often each instance looks for runs to claim.
  REPLAY_POLL_MS: env.int(50, 60_000, 1000),
  // Runs one instance executes at the same time.
  REPLAY_MAX_CONCURRENT_RUNS: env.int(1, 64, 2),
  // Consecutive failed attempts after which a run is marked failed (resume retries it).
  REPLAY_MAX_FAILURES: env.int(1, 100, 5),
  // The coordinator's group id: it has no source topic; its control listener reads mesh.control as <id>.control.<instance>.
  REPLAY_GROUP_ID: env.string('mesh.replay-coordinator').default('mesh.replay-coordinator'),
  // Consumer groups of the runs: <prefix>.<plan id>.<instance>; never committed to.
  REPLAY_GROUP_PREFIX: env.string('mesh.replay-coordinator.run').default('mesh.replay-coordinator.run'),
  REPLAY_PG_POOL_MAX: env.int(1, 100, 5),
};

export type CoordinatorEnv = z.infer<z.ZodObject<typeof coordinatorEnvShape>>;

export function loadCoordinatorEnv(source: NodeJS.ProcessEnv = process.env): CoordinatorEnv {
  const e = parseEnv(coordinatorEnvShape, source);
  // The coordinator consumes no records, so nothing of it is ever dead-lettered.
  return { ...e, MESH_EXHAUSTED_RETRIES: 'block' };
}
