// sink-postgres: sink.postgres → PostgreSQL. Reads the environment and tables.yaml, builds the
// PostgresSink and runs it on the sink-kit runner until SIGTERM.
import { runSinkApp } from '@ingest-mesh/sink-kit';
import { createLogger } from '@ingest-mesh/telemetry';
import { APP, loadSinkPostgresEnv } from './app-env.js';
import { postgresSinkOptions } from './config.js';
import { PostgresSink } from './postgres-sink.js';
import { loadTablesConfig } from './table-config.js';

const env = loadSinkPostgresEnv();
const logger = createLogger({ app: APP, level: env.LOG_LEVEL });
const tables = await loadTablesConfig(env.SINK_PG_TABLES);
const sink = new PostgresSink({
  ...postgresSinkOptions(env, tables),
  onPoolError: (err) => logger.warn({ err }, 'an idle PostgreSQL connection was dropped; it is replaced on the next batch'),
  onConnected: ({ migrations, tables: mapped }) =>
    logger.info(
      { schema: env.SINK_PG_SCHEMA, tables: mapped, migrationsApplied: migrations?.applied ?? [], unknownMigrations: migrations?.unknownApplied ?? [] },
      'PostgreSQL ready',
    ),
});
await runSinkApp({ app: APP, sink, env });
