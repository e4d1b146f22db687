import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPERATOR_ENV_HELP, osIdentity } from '@ingest-mesh/control';
import { ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { loadConfig } from './config.js';
import { CliError, EXIT } from './exit-codes.js';

const SECRET = 'k'.repeat(40);

function configError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a CliError');
}

describe('dlqtriage configuration', () => {
  it('defaults to the apps’ loopback endpoints', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe(ENDPOINT_DEFAULTS.DATABASE_URL);
    expect(c.brokers).toEqual([ENDPOINT_DEFAULTS.KAFKA_BROKERS]);
    expect(c.registryUrl).toBe(ENDPOINT_DEFAULTS.SCHEMA_REGISTRY_URL);
    expect(c.controlTopic).toBe('mesh.control');
    expect(c.schema).toBe('mesh_dlq');
  });

  it('reads the endpoints, the topic and the store schema from the environment', () => {
    const c = loadConfig({
      KAFKA_BROKERS: 'a:1, b:2',
      DATABASE_URL: 'postgres://x@db/y',
      SCHEMA_REGISTRY_URL: 'http://reg:8081',
      MESH_CONTROL_TOPIC: 'ctl',
      DLQ_STORE_SCHEMA: 'dlq2',
    });
    expect(c).toMatchObject({ brokers: ['a:1', 'b:2'], databaseUrl: 'postgres://x@db/y', registryUrl: 'http://reg:8081', controlTopic: 'ctl', schema: 'dlq2' });
    expect(configError(() => loadConfig({ DLQ_STORE_SCHEMA: 'Bad-Name' })).exitCode).toBe(EXIT.USAGE);
  });

  it('issuedBy: MESH_OPERATOR, else <os user>@<host>', () => {
    expect(loadConfig({ MESH_OPERATOR: 'alice' }).operator).toBe('alice');
    expect(loadConfig({}).operator).toBe(osIdentity());
  });

  describe('the control secret', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dlqtriage-secret-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('comes from MESH_CONTROL_SECRET, read only when a command needs it', () => {
      expect(() => loadConfig({})).not.toThrow();
      expect(loadConfig({ MESH_CONTROL_SECRET: SECRET }).secret()).toBe(SECRET);
    });

    it('or from the file MESH_CONTROL_SECRET_FILE names', () => {
      const file = path.join(dir, 'secret');
      writeFileSync(file, `${SECRET}\n`);
      expect(loadConfig({ MESH_CONTROL_SECRET_FILE: file }).secret()).toBe(SECRET);
    });

    it('missing, short or set twice: a configuration error (exit 2) naming the variables', () => {
      const missing = configError(() => loadConfig({}).secret());
      expect(missing.exitCode).toBe(EXIT.USAGE);
      expect(missing.message).toContain('MESH_CONTROL_SECRET is not set');
      expect(missing.message).toContain('MESH_CONTROL_SECRET_FILE');
      expect(configError(() => loadConfig({ MESH_CONTROL_SECRET: 'short' }).secret()).message).toBe(
        'MESH_CONTROL_SECRET is 5 bytes; it must be at least 32 (e.g. openssl rand -hex 32)',
      );
      expect(configError(() => loadConfig({ MESH_CONTROL_SECRET: SECRET, MESH_CONTROL_SECRET_FILE: '/x' }).secret()).message).toContain('set only one');
    });
  });
});

describe('dlqtriage without a secret', () => {
  it('refuses a command with exit 2 before connecting to anything', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['redrive', '--tenant', 'acme'],
      { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false },
      { KAFKA_BROKERS: '127.0.0.1:1' },
    );
    expect(code).toBe(EXIT.USAGE);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^dlqtriage: MESH_CONTROL_SECRET is not set: .*MESH_CONTROL_SECRET_FILE/);
  });

  it('help names the variables', async () => {
    const out: string[] = [];
    expect(await runCli(['--help'], { out: (t) => out.push(t), err: () => undefined, isTTY: false }, {})).toBe(EXIT.OK);
    expect(out.join('\n')).toContain(OPERATOR_ENV_HELP);
  });
});
