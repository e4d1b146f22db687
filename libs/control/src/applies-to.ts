// Decides whether an app acts on a command: by who handles its type (COMMAND_SCOPE), then,
// for runtime commands, by target.app. For dlq and replay commands target.app is a filter on
// the data (whose dead letters, which app's topic), not the app that acts.
import { commandScope, type CommandScope, type ControlCommand } from './command.js';

/**
 * @param app      the deciding app's name
 * @param handles  the scopes this app acts on; every app's runtime handles 'runtime', the
 *                 dlq-redriver adds 'dlq', the replay-coordinator adds 'replay'
 */
export function commandAppliesTo(cmd: Pick<ControlCommand, 'type' | 'target'>, app: string, handles: readonly CommandScope[] = ['runtime']): boolean {
  const scope = commandScope(cmd.type);
  if (!handles.includes(scope)) return false;
  if (scope !== 'runtime') return true;
  return cmd.target.app === null || cmd.target.app === app;
}
