import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMAND_TTL_MS, newCommand } from './new-command.js';
import { InvalidCommandError } from './shape.js';

describe('newCommand', () => {
  it('fills a fresh lower-case UUID, null targets, empty args and the default validity window', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const a = newCommand({ type: 'resume', issuedBy: 'cli', now });
    const b = newCommand({ type: 'resume', issuedBy: 'cli', now });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({ target: { app: null, tenant: null, reason: null }, args: {}, issuedAt: now.getTime() });
    expect(a.expiresAt - a.issuedAt).toBe(DEFAULT_COMMAND_TTL_MS);
  });

  it('validates what it builds', () => {
    expect(() => newCommand({ type: 'resume', issuedBy: '' })).toThrow(InvalidCommandError);
    expect(() => newCommand({ type: 'resume', issuedBy: 'cli', ttlMs: 0 })).toThrow(/expiresAt/);
  });
});
