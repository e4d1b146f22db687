import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTROL_SECRET_FILE_VAR, OPERATOR_ENV_HELP, OPERATOR_VAR, operatorFromEnv, osIdentity, signingSecretFromEnv } from './operator.js';
import { ControlSecretError } from './secret.js';

const SECRET = 's'.repeat(32);
const fromOs = () => 'alice@ops-1';

describe('operatorFromEnv', () => {
  it('reads MESH_OPERATOR, trimmed', () => {
    expect(operatorFromEnv({ MESH_OPERATOR: ' bob ' }, { osIdentity: fromOs })).toBe('bob');
  });

  it('falls back to <os user>@<host> when unset or blank', () => {
    expect(operatorFromEnv({}, { osIdentity: fromOs })).toBe('alice@ops-1');
    expect(operatorFromEnv({ MESH_OPERATOR: '  ' }, { osIdentity: fromOs })).toBe('alice@ops-1');
  });

  it("lets a CLI's older variable win over MESH_OPERATOR, in the order given", () => {
    const legacyVariables = ['REPLAYCTL_USER'];
    expect(operatorFromEnv({ REPLAYCTL_USER: 'carol@int', MESH_OPERATOR: 'bob' }, { legacyVariables, osIdentity: fromOs })).toBe('carol@int');
    expect(operatorFromEnv({ REPLAYCTL_USER: '', MESH_OPERATOR: 'bob' }, { legacyVariables, osIdentity: fromOs })).toBe('bob');
    expect(operatorFromEnv({}, { legacyVariables, osIdentity: fromOs })).toBe('alice@ops-1');
    // Without the option, the older variable means nothing.
    expect(operatorFromEnv({ REPLAYCTL_USER: 'carol@int' }, { osIdentity: fromOs })).toBe('alice@ops-1');
  });

  it('the OS fallback names the OS user and this host', () => {
    expect(osIdentity()).toBe(`${os.userInfo().username}@${os.hostname()}`);
    expect(operatorFromEnv({})).toBe(osIdentity());
  });
});

describe('signingSecretFromEnv', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'control-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const error = (env: NodeJS.ProcessEnv): ControlSecretError => {
    try {
      signingSecretFromEnv(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ControlSecretError);
      return err as ControlSecretError;
    }
    throw new Error('expected a ControlSecretError');
  };

  it('reads MESH_CONTROL_SECRET, trimmed like the apps read it', () => {
    expect(signingSecretFromEnv({ MESH_CONTROL_SECRET: ` ${SECRET}\n` })).toBe(SECRET);
  });

  it('reads the file named by MESH_CONTROL_SECRET_FILE, without its final newline', () => {
    expect(signingSecretFromEnv({ MESH_CONTROL_SECRET_FILE: file('secret', `${SECRET}\n`) })).toBe(SECRET);
    expect(signingSecretFromEnv({ MESH_CONTROL_SECRET: ' ', MESH_CONTROL_SECRET_FILE: file('secret2', SECRET) })).toBe(SECRET);
  });

  it('names both variables when neither is set', () => {
    const e = error({});
    expect(e.message).toMatch(/^MESH_CONTROL_SECRET is not set: /);
    expect(e.message).toContain('MESH_CONTROL_SECRET_FILE');
    expect(e.message).toContain('at least 32 bytes');
    expect(e.variable).toBe('MESH_CONTROL_SECRET');
    expect(e.retryable).toBe(false);
  });

  it('refuses both at once', () => {
    expect(error({ MESH_CONTROL_SECRET: SECRET, MESH_CONTROL_SECRET_FILE: file('both', SECRET) }).message).toBe(
      'both MESH_CONTROL_SECRET and MESH_CONTROL_SECRET_FILE are set: set only one',
    );
  });

  it('says what is wrong with the file, never its contents', () => {
    const missing = path.join(dir, 'missing');
    const e = error({ MESH_CONTROL_SECRET_FILE: missing });
    expect(e.message).toBe(`MESH_CONTROL_SECRET_FILE: cannot read ${missing} (ENOENT)`);
    expect(e.variable).toBe(CONTROL_SECRET_FILE_VAR);
    const empty = file('empty', '\n');
    expect(error({ MESH_CONTROL_SECRET_FILE: empty }).message).toBe(`MESH_CONTROL_SECRET_FILE: ${empty} is empty`);
    const short = file('short', 'tiny-secret\n');
    const s = error({ MESH_CONTROL_SECRET_FILE: short });
    expect(s.message).toBe(`MESH_CONTROL_SECRET_FILE (${short}) is 11 bytes; it must be at least 32 (e.g. openssl rand -hex 32)`);
    expect(s.message).not.toContain('tiny-secret');
  });

  it('refuses a short MESH_CONTROL_SECRET without printing it', () => {
    const e = error({ MESH_CONTROL_SECRET: 'tiny-secret' });
    expect(e.message).toBe('MESH_CONTROL_SECRET is 11 bytes; it must be at least 32 (e.g. openssl rand -hex 32)');
  });

  it('counts bytes, not characters', () => {
    expect(error({ MESH_CONTROL_SECRET: 'é'.repeat(15) }).message).toContain('is 30 bytes');
    expect(signingSecretFromEnv({ MESH_CONTROL_SECRET: 'é'.repeat(16) })).toBe('é'.repeat(16));
  });

  it('uses an injected reader', () => {
    expect(
      signingSecretFromEnv({ MESH_CONTROL_SECRET_FILE: '/run/secrets/control' }, { readFile: (p) => (p === '/run/secrets/control' ? `${SECRET}\r\n` : '') }),
    ).toBe(SECRET);
  });
});

describe('OPERATOR_ENV_HELP', () => {
  it('names the three variables', () => {
    for (const name of ['MESH_CONTROL_SECRET ', CONTROL_SECRET_FILE_VAR, OPERATOR_VAR]) expect(OPERATOR_ENV_HELP).toContain(name);
    expect(OPERATOR_ENV_HELP).toContain('<os user>@<host>');
  });
});
