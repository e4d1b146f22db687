// The control command as the mesh passes it around: the fields of schemas/mesh/ControlCommand.avsc.
import {
  CONTROL_COMMAND_TYPE_SYMBOLS,
  type ControlCommand as WireCommand,
  type ControlCommandType as WireCommandType,
  type ControlTarget as WireTarget,
} from '@ingest-mesh/contracts';
import type { ReasonCode } from '@ingest-mesh/reason-codes';

/** The schema's enum default: what a reader built before a new type was added decodes it as. Never issued. */
export const UNKNOWN_COMMAND_TYPE = 'UNKNOWN';

/** Every command type that is issued: the schema's ControlCommandType symbols but UNKNOWN. */
export type ControlCommandType = Exclude<WireCommandType, typeof UNKNOWN_COMMAND_TYPE>;

export const CONTROL_COMMAND_TYPES: readonly ControlCommandType[] = Object.freeze(
  CONTROL_COMMAND_TYPE_SYMBOLS.filter((t): t is ControlCommandType => t !== UNKNOWN_COMMAND_TYPE),
);

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

/** The wire target, its reason narrowed to a known reason code. */
export interface ControlTarget extends Omit<WireTarget, 'reason'> {
  reason: ReasonCode | null;
}

/** The wire command without its signature (what is signed); expiresAt plus the allowed clock skew ends it. */
export interface UnsignedCommand extends Omit<WireCommand, 'type' | 'target' | 'signature'> {
  type: ControlCommandType;
  target: ControlTarget;
}

export interface ControlCommand extends UnsignedCommand, Pick<WireCommand, 'signature'> {}

export function isControlCommandType(value: unknown): value is ControlCommandType {
  return typeof value === 'string' && (CONTROL_COMMAND_TYPES as readonly string[]).includes(value);
}

export function commandScope(type: ControlCommandType): CommandScope {
  return COMMAND_SCOPE[type];
}
