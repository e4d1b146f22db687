// The CLI's environment. The endpoints default to the apps' (@ingest-mesh/env-config); issuedBy
// and the control secret are read as every operator CLI reads them (@ingest-mesh/control:
// MESH_OPERATOR or <os user>@<host>; MESH_CONTROL_SECRET or MESH_CONTROL_SECRET_FILE, never a
// flag, never printed).
import { ControlSecretError, operatorFromEnv, signingSecretFromEnv } from '@ingest-mesh/control';
import { brokerList, endpointsFromEnv } from '@ingest-mesh/env-config';
import { badConfig } from './exit-codes.js';

export interface CliConfig {
  databaseUrl: string;
  brokers: string[];
  registryUrl: string;
  controlTopic: string;
  schema: string;
  operator: string;
  /** Read lazily: only commands that publish need it. */
  secret(): string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const get = (name: string, fallback: string) => (env[name]?.trim() ? env[name]!.trim() : fallback);
  const schema = get('DLQ_STORE_SCHEMA', 'mesh_dlq');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw badConfig(`DLQ_STORE_SCHEMA: expected a lower-case schema name such as mesh_dlq (got "${schema}")`);
  const endpoints = endpointsFromEnv(env);
  return {
    databaseUrl: endpoints.DATABASE_URL,
    brokers: brokerList(endpoints.KAFKA_BROKERS),
    registryUrl: endpoints.SCHEMA_REGISTRY_URL,
    controlTopic: get('MESH_CONTROL_TOPIC', 'mesh.control'),
    schema,
    operator: operatorFromEnv(env),
    secret: () => {
      try {
        return signingSecretFromEnv(env);
      } catch (err) {
        if (err instanceof ControlSecretError) throw badConfig(err.message);
        throw err;
      }
    },
  };
}
