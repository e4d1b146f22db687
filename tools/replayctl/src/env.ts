// replayctl's configuration: the same variables as the coordinator for Kafka, the registry,
// PostgreSQL and the control topic. The control secret is read from the environment only
// (never a flag, never printed).
import { env, parseEnv } from '@ingest-mesh/kafka-runtime';
import type { z } from 'zod';

export const cliEnvShape = {
  KAFKA_BROKERS: env.list('127.0.0.1:9092').default(['127.0.0.1:9092']),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7').default('http://127.0.0.1:8081/apis/ccompat/v7'),
  DATABASE_URL: env.url('postgres://mesh@127.0.0.1:5432/mesh').default('postgres://mesh@127.0.0.1:5432/mesh'),
  REPLAY_SCHEMA: env.string('mesh_replay').regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lower-case schema name such as mesh_replay' }).default('mesh_replay'),
  MESH_CONTROL_TOPIC: env.string('mesh.control').default('mesh.control'),
  MESH_CONTROL_SECRET: env.secret(32).optional(),
  // How long replayctl waits for the coordinator to record a command's outcome.
  REPLAYCTL_TIMEOUT_MS: env.int(100, 3_600_000, 30_000),
  // Who issues the commands (recorded with plans, approvals and holds); default user@host.
  REPLAYCTL_USER: env.optionalString(),
};

export type CliEnv = z.infer<z.ZodObject<typeof cliEnvShape>>;

export function loadCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  return parseEnv(cliEnvShape, source);
}
