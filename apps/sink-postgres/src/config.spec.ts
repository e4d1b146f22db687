import { describe, expect, it } from 'vitest';
import { ConfigError, ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { loadPostgresEnv, postgresSinkOptions } from './config.js';
import { parseTablesConfig } from './table-config.js';

describe('postgres env', () => {
  it('has loopback defaults and the app-relative config and migrations', () => {
    const env = loadPostgresEnv({});
    expect(env).toMatchObject({
      DATABASE_URL: ENDPOINT_DEFAULTS.DATABASE_URL,
      SINK_PG_SCHEMA: 'public',
      SINK_PG_MIGRATE: true,
      SINK_PG_STATEMENT_TIMEOUT_MS: 30_000,
    });
    expect(env.SINK_PG_TABLES).toMatch(/apps\/sink-postgres\/config\/tables\.yaml$/);
    expect(env.SINK_PG_MIGRATIONS_DIR).toMatch(/apps\/sink-postgres\/migrations$/);
  });

  it('turns into PostgresSink options; SINK_PG_MIGRATE=false disables migrations', () => {
    const tables = parseTablesConfig({ entityTypes: {} });
    const options = postgresSinkOptions(loadPostgresEnv({ SINK_PG_MIGRATE: 'false', SINK_PG_STATEMENT_TIMEOUT_MS: '5000', SINK_PG_SCHEMA: 'mesh' }), tables);
    expect(options).toMatchObject({ migrations: false, statementTimeoutMs: 5000, schema: 'mesh', tables });
  });

  it('names a bad variable', () => {
    expect(() => loadPostgresEnv({ SINK_PG_POOL_MAX: '0' })).toThrow(ConfigError);
    expect(() => loadPostgresEnv({ SINK_PG_POOL_MAX: '0' })).toThrow(/SINK_PG_POOL_MAX: expected an integer from 1 to 100/);
  });
});
