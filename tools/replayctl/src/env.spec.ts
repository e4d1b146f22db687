import { OPERATOR_ENV_HELP, osIdentity } from '@ingest-mesh/control';
import { ConfigError, ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { describe, expect, it } from 'vitest';
import { USAGE } from './cli.js';
import { issuedByFromEnv, loadCliEnv } from './env.js';

describe('replayctl configuration', () => {
  it('defaults to the apps’ loopback endpoints', () => {
    expect(loadCliEnv({})).toEqual({
      KAFKA_BROKERS: [ENDPOINT_DEFAULTS.KAFKA_BROKERS],
      SCHEMA_REGISTRY_URL: ENDPOINT_DEFAULTS.SCHEMA_REGISTRY_URL,
      DATABASE_URL: ENDPOINT_DEFAULTS.DATABASE_URL,
      REPLAY_SCHEMA: 'mesh_replay',
      MESH_CONTROL_TOPIC: 'mesh.control',
      REPLAYCTL_TIMEOUT_MS: 30_000,
    });
  });

  it('names a bad variable', () => {
    expect(() => loadCliEnv({ REPLAY_SCHEMA: 'Bad' })).toThrow(ConfigError);
    expect(() => loadCliEnv({ DATABASE_URL: 'nope' })).toThrow('DATABASE_URL: expected a URL');
  });

  it('leaves the control secret to the commands that need it: reads start without one, or with a bad one', () => {
    expect(() => loadCliEnv({ MESH_CONTROL_SECRET: 'short' })).not.toThrow();
  });
});

describe('issuedBy', () => {
  it('REPLAYCTL_USER, else MESH_OPERATOR, else <os user>@<host>', () => {
    expect(issuedByFromEnv({ REPLAYCTL_USER: 'tester@int', MESH_OPERATOR: 'alice' })).toBe('tester@int');
    expect(issuedByFromEnv({ MESH_OPERATOR: 'alice' })).toBe('alice');
    expect(issuedByFromEnv({ REPLAYCTL_USER: ' ', MESH_OPERATOR: ' alice ' })).toBe('alice');
    expect(issuedByFromEnv({})).toBe(osIdentity());
  });
});

describe('help', () => {
  it('says what dlqtriage says about the secret and the operator, plus the older variable', () => {
    expect(USAGE).toContain(OPERATOR_ENV_HELP);
    expect(USAGE).toMatch(/REPLAYCTL_USER +replayctl's older name for MESH_OPERATOR; wins over it when set/);
  });
});
