import { describe, expect, it } from 'vitest';
import { ControlSecretError, controlSecretFromEnv, controlSecretsFromEnv } from './secret.js';

const GOOD = '0123456789abcdef0123456789abcdef';
const PREVIOUS = 'fedcba9876543210fedcba9876543210';

describe('controlSecretFromEnv', () => {
  it('returns MESH_CONTROL_SECRET, ignoring surrounding whitespace', () => {
    expect(controlSecretFromEnv({ MESH_CONTROL_SECRET: `  ${GOOD}\n` })).toBe(GOOD);
  });

  it('names the variable when it is missing or empty', () => {
    for (const env of [{}, { MESH_CONTROL_SECRET: '   ' }]) {
      expect(() => controlSecretFromEnv(env)).toThrow(ControlSecretError);
      expect(() => controlSecretFromEnv(env)).toThrow(/MESH_CONTROL_SECRET is not set/);
    }
  });

  it('refuses a secret shorter than 32 bytes, naming the variable and never echoing the value', () => {
    const short = 'x'.repeat(31);
    try {
      controlSecretFromEnv({ MESH_CONTROL_SECRET: short });
      expect.unreachable('a 31-byte secret must be refused');
    } catch (err) {
      expect(err).toBeInstanceOf(ControlSecretError);
      expect((err as ControlSecretError).variable).toBe('MESH_CONTROL_SECRET');
      expect((err as Error).message).toMatch(/MESH_CONTROL_SECRET is 31 bytes; it must be at least 32/);
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('counts bytes, not characters', () => {
    expect(() => controlSecretFromEnv({ MESH_CONTROL_SECRET: 'é'.repeat(16) })).not.toThrow();
    expect(() => controlSecretFromEnv({ MESH_CONTROL_SECRET: 'e'.repeat(16) })).toThrow(ControlSecretError);
  });
});

describe('controlSecretsFromEnv', () => {
  it('lists the current secret first, then MESH_CONTROL_SECRET_PREVIOUS during a rotation', () => {
    expect(controlSecretsFromEnv({ MESH_CONTROL_SECRET: GOOD })).toEqual([GOOD]);
    expect(controlSecretsFromEnv({ MESH_CONTROL_SECRET: GOOD, MESH_CONTROL_SECRET_PREVIOUS: PREVIOUS })).toEqual([GOOD, PREVIOUS]);
    expect(controlSecretsFromEnv({ MESH_CONTROL_SECRET: GOOD, MESH_CONTROL_SECRET_PREVIOUS: GOOD })).toEqual([GOOD]);
  });

  it('holds the previous secret to the same length rule, naming its variable', () => {
    expect(() => controlSecretsFromEnv({ MESH_CONTROL_SECRET: GOOD, MESH_CONTROL_SECRET_PREVIOUS: 'short' })).toThrow(
      /MESH_CONTROL_SECRET_PREVIOUS is 5 bytes/,
    );
  });
});
