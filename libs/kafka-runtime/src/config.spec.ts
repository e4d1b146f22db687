import { describe, expect, it } from 'vitest';
import * as envConfig from '@ingest-mesh/env-config';
import { ConfigError, ENDPOINT_DEFAULTS, parseEnv } from '@ingest-mesh/env-config';
import * as runtime from './config.js';
import { runtimeEnvShape } from './config.js';

const valid = { MESH_ADMIN_TOKEN: 'a'.repeat(16), MESH_CONTROL_SECRET: 's'.repeat(32) };

// The helpers themselves (parseEnv, env, ConfigError) are tested in libs/env-config.
describe('runtimeEnvShape', () => {
  it('applies defaults for unset variables', () => {
    const cfg = parseEnv(runtimeEnvShape, valid);
    expect(cfg.KAFKA_BROKERS).toEqual([ENDPOINT_DEFAULTS.KAFKA_BROKERS]);
    expect(cfg.SCHEMA_REGISTRY_URL).toBe(ENDPOINT_DEFAULTS.SCHEMA_REGISTRY_URL);
    expect(cfg.REDIS_URL).toBe(ENDPOINT_DEFAULTS.REDIS_URL);
    expect(cfg.MESH_RETRY_MAX_ATTEMPTS).toBe(5);
    expect(cfg.MESH_EXHAUSTED_RETRIES).toBe('dlq');
    expect(cfg.MESH_IDEMPOTENCY_WHEN_REDIS_DOWN).toBe('fail-closed');
    expect(cfg.MESH_BATCH_MAX_BYTES).toBe(5 * 1024 * 1024);
    expect(cfg.MESH_FETCH_MIN_BYTES).toBe(1);
    expect(cfg.MESH_FETCH_MAX_WAIT_MS).toBe(500);
    expect(cfg.MESH_FETCH_MAX_BYTES_PER_PARTITION).toBe(1024 * 1024);
  });

  it('reads lists, numbers and enums', () => {
    const cfg = parseEnv(runtimeEnvShape, { ...valid, KAFKA_BROKERS: 'a:1, b:2', MESH_HTTP_PORT: '9100', MESH_EXHAUSTED_RETRIES: 'block' });
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.MESH_HTTP_PORT).toBe(9100);
    expect(cfg.MESH_EXHAUSTED_RETRIES).toBe('block');
  });

  it('names every bad variable and what was expected', () => {
    let error: unknown;
    try {
      parseEnv(runtimeEnvShape, { ...valid, MESH_HTTP_PORT: 'eighty', MESH_EXHAUSTED_RETRIES: 'drop', MESH_CONTROL_SECRET: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain('MESH_HTTP_PORT: expected an integer from 0 to 65535 (got "eighty")');
    expect(problems).toContain('MESH_EXHAUSTED_RETRIES: expected one of dlq, block (got "drop")');
    expect(problems).toContain('MESH_CONTROL_SECRET: expected a secret of at least 32 characters (got (hidden))');
  });

  it('requires the admin token and control secret', () => {
    expect(() => parseEnv(runtimeEnvShape, {})).toThrow(
      /MESH_ADMIN_TOKEN: expected a secret of at least 16 characters \(set it in the environment\) \(got nothing\)/,
    );
  });
});

describe('re-exports', () => {
  it("are env-config's helpers, for code that imports them from the runtime", () => {
    expect(runtime.parseEnv).toBe(envConfig.parseEnv);
    expect(runtime.env).toBe(envConfig.env);
    expect(runtime.ConfigError).toBe(envConfig.ConfigError);
  });
});
