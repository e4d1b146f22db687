// The PostgreSQL side of the sink's environment, validated at start-up. The lead's main.ts adds
// the runner's variables (sink-kit / kafka-runtime) to these.
import path from 'node:path';
import { endpointEnv, env, parseEnv } from '@ingest-mesh/env-config';
import type { PostgresSinkOptions } from './postgres-sink.js';
import type { TablesConfig } from './table-config.js';

const APP_DIR = path.resolve(import.meta.dirname, '..');

export const postgresEnvShape = {
  DATABASE_URL: endpointEnv.DATABASE_URL,
  SINK_PG_TABLES: env.string('apps/sink-postgres/config/tables.yaml').default(path.join(APP_DIR, 'config/tables.yaml')),
  SINK_PG_SCHEMA: env.string('public').default('public'),
  SINK_PG_MIGRATE: env.bool(true),
  SINK_PG_MIGRATIONS_DIR: env.string('apps/sink-postgres/migrations').default(path.join(APP_DIR, 'migrations')),
  SINK_PG_POOL_MAX: env.int(1, 100, 10),
  SINK_PG_STATEMENT_TIMEOUT_MS: env.int(100, 3_600_000, 30_000),
  SINK_PG_CONNECT_TIMEOUT_MS: env.int(100, 300_000, 5_000),
  SINK_PG_APPLICATION_NAME: env.string('sink-postgres').default('sink-postgres'),
};

export type PostgresEnv = ReturnType<typeof loadPostgresEnv>;

export function loadPostgresEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(postgresEnvShape, source);
}

/** PostgresSink options from the environment and the loaded tables.yaml. */
export function postgresSinkOptions(e: PostgresEnv, tables: TablesConfig): PostgresSinkOptions {
  return {
    connectionString: e.DATABASE_URL,
    tables,
    schema: e.SINK_PG_SCHEMA,
    migrations: e.SINK_PG_MIGRATE ? e.SINK_PG_MIGRATIONS_DIR : false,
    poolMax: e.SINK_PG_POOL_MAX,
    statementTimeoutMs: e.SINK_PG_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: e.SINK_PG_CONNECT_TIMEOUT_MS,
    applicationName: e.SINK_PG_APPLICATION_NAME,
  };
}
