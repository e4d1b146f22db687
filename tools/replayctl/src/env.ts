// replayctl's configuration: the same variables as the coordinator for Kafka, the registry,
// PostgreSQL and the control topic, with the apps' endpoint defaults (@ingest-mesh/env-config).
// issuedBy and the control secret are read as every operator CLI reads them
// (@ingest-mesh/control): never a flag, the secret never printed, and only when a command needs it.
import { operatorFromEnv } from '@ingest-mesh/control';
import { endpointEnv, env, parseEnv } from '@ingest-mesh/env-config';
import type { z } from 'zod';

export const cliEnvShape = {
  KAFKA_BROKERS: endpointEnv.KAFKA_BROKERS,
  SCHEMA_REGISTRY_URL: endpointEnv.SCHEMA_REGISTRY_URL,
  DATABASE_URL: endpointEnv.DATABASE_URL,
  REPLAY_SCHEMA: env
    .string('mesh_replay')
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lower-case schema name such as mesh_replay' })
    .default('mesh_replay'),
  MESH_CONTROL_TOPIC: env.string('mesh.control').default('mesh.control'),
  // How long replayctl waits for the coordinator to record a command's outcome.
  REPLAYCTL_TIMEOUT_MS: env.int(100, 3_600_000, 30_000),
};

export type CliEnv = z.infer<z.ZodObject<typeof cliEnvShape>>;

export function loadCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  return parseEnv(cliEnvShape, source);
}

/** replayctl's own older name for the operator, still honoured: it wins over MESH_OPERATOR. */
export const LEGACY_OPERATOR_VARS = ['REPLAYCTL_USER'] as const;

/** Who issues the commands (recorded with plans, approvals and holds): REPLAYCTL_USER, else MESH_OPERATOR, else <os user>@<host>. */
export function issuedByFromEnv(source: NodeJS.ProcessEnv = process.env): string {
  return operatorFromEnv(source, { legacyVariables: LEGACY_OPERATOR_VARS });
}
