// The control command as the mesh passes it around: the fields of schemas/mesh/ControlCommand.avsc.
import type { ReasonCode } from '@ingest-mesh/reason-codes';

export const CONTROL_COMMAND_TYPES = [
  'drain',
  'resume',
  'brownout',
  'pause',
  'redrive',
  'purge',
  'quarantine_release',
  'quarantine_archive',
  'replay_plan',
  'replay_approve',
  'replay_run',
  'replay_pause',
  'replay_resume',
  'replay_cancel',
] as const;

export type ControlCommandType = (typeof CONTROL_COMMAND_TYPES)[number];

/** The schema's enum default: what a reader built before a new type was added decodes it as. Never issued. */
export const UNKNOWN_COMMAND_TYPE = 'UNKNOWN';

/**
 * Who acts on a command type:
 *  - runtime: every app's kafka-runtime (target.app picks the apps; null = all);
 *  - dlq: the dlq-redriver (target.app/tenant/reason select which dead letters);
 *  - replay: the replay-coordinator (args carry the plan).
 */
export type CommandScope = 'runtime' | 'dlq' | 'replay';

export const COMMAND_SCOPE: Readonly<Record<ControlCommandType, CommandScope>> = Object.freeze({
  drain: 'runtime',
  resume: 'runtime',
  brownout: 'runtime',
  pause: 'runtime',
  redrive: 'dlq',
  purge: 'dlq',
  quarantine_release: 'dlq',
  quarantine_archive: 'dlq',
  replay_plan: 'replay',
  replay_approve: 'replay',
  replay_run: 'replay',
  replay_pause: 'replay',
  replay_resume: 'replay',
  replay_cancel: 'replay',
});

export interface ControlTarget {
  /** null = every app. */
  app: string | null;
  /** null = every tenant. */
  tenant: string | null;
  reason: ReasonCode | null;
}

export interface UnsignedCommand {
  /** Lower-case UUID, unique per command. */
  id: string;
  type: ControlCommandType;
  target: ControlTarget;
  args: Record<string, string>;
  issuedBy: string;
  /** Epoch milliseconds. */
  issuedAt: number;
  /** Epoch milliseconds; after it (plus the allowed clock skew) the command is refused. */
  expiresAt: number;
}

export interface ControlCommand extends UnsignedCommand {
  /** Lower-case hex HMAC-SHA256 over the canonical encoding; '' = unsigned. */
  signature: string;
}

export function isControlCommandType(value: unknown): value is ControlCommandType {
  return typeof value === 'string' && (CONTROL_COMMAND_TYPES as readonly string[]).includes(value);
}

export function commandScope(type: ControlCommandType): CommandScope {
  return COMMAND_SCOPE[type];
}
