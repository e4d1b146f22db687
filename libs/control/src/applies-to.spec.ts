import { describe, expect, it } from 'vitest';
import { commandAppliesTo } from './applies-to.js';
import { COMMAND_SCOPE, CONTROL_COMMAND_TYPES, type ControlCommandType } from './command.js';

const cmd = (type: ControlCommandType, app: string | null) => ({ type, target: { app, tenant: null, reason: null } });

describe('commandAppliesTo', () => {
  it('runtime commands reach every app when target.app is null, only the named app otherwise', () => {
    for (const type of ['drain', 'resume', 'brownout', 'pause'] as const) {
      expect(commandAppliesTo(cmd(type, null), 'sink-postgres')).toBe(true);
      expect(commandAppliesTo(cmd(type, 'sink-postgres'), 'sink-postgres')).toBe(true);
      expect(commandAppliesTo(cmd(type, 'sink-search'), 'sink-postgres')).toBe(false);
    }
  });

  it('dlq commands are acted on by an app that handles the dlq scope, whatever app they filter on', () => {
    const redrive = cmd('redrive', 'sink-postgres');
    expect(commandAppliesTo(redrive, 'sink-postgres')).toBe(false);
    expect(commandAppliesTo(redrive, 'dlq-redriver', ['runtime', 'dlq'])).toBe(true);
    expect(commandAppliesTo(redrive, 'replay-coordinator', ['runtime', 'replay'])).toBe(false);
  });

  it('replay commands are acted on only by the replay scope', () => {
    const run = cmd('replay_run', null);
    expect(commandAppliesTo(run, 'ingest-router')).toBe(false);
    expect(commandAppliesTo(run, 'replay-coordinator', ['runtime', 'replay'])).toBe(true);
  });

  it('gives every command type exactly one scope', () => {
    expect(Object.keys(COMMAND_SCOPE).sort()).toEqual([...CONTROL_COMMAND_TYPES].sort());
  });
});
