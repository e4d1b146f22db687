// Checks that a value is a well-formed control command and returns it normalised (only the
// schema's fields, missing nullables as null), so signing and verifying see the same bytes.
import { isReasonCode, ValidationError, type MeshErrorOptions } from '@ingest-mesh/reason-codes';
import { isControlCommandType, UNKNOWN_COMMAND_TYPE, type ControlCommand, type ControlTarget, type UnsignedCommand } from './command.js';

/** A command that breaks the schema or its rules; VALIDATION_FAIL, never retried. */
export class InvalidCommandError extends ValidationError {
  constructor(message: string, options: MeshErrorOptions & { field?: string } = {}) {
    super(`invalid control command: ${message}`, { ...options, rule: 'control-command' });
  }
}

export type ParseResult<T> = { ok: true; command: T } | { ok: false; field: string; problem: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// With the u flag a valid surrogate pair is one code point, so this matches only lone surrogates,
// which UTF-8 cannot encode (two different strings would otherwise sign the same bytes).
const LONE_SURROGATE = /\p{Cs}/u;

class Problem extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

export function parseUnsignedCommand(value: unknown): ParseResult<UnsignedCommand> {
  return attempt(() => readUnsigned(value));
}

export function parseControlCommand(value: unknown): ParseResult<ControlCommand> {
  return attempt(() => {
    const unsigned = readUnsigned(value);
    const signature = (value as Record<string, unknown>).signature;
    if (typeof signature !== 'string') throw new Problem('signature', 'must be a string (empty when unsigned)');
    return { ...unsigned, signature };
  });
}

/** parseControlCommand, throwing InvalidCommandError when the value is not a command. */
export function assertControlCommand(value: unknown): ControlCommand {
  return unwrap(parseControlCommand(value));
}

export function assertUnsignedCommand(value: unknown): UnsignedCommand {
  return unwrap(parseUnsignedCommand(value));
}

function unwrap<T>(result: ParseResult<T>): T {
  if (result.ok) return result.command;
  throw new InvalidCommandError(`${result.field} ${result.problem}`, { field: result.field });
}

function attempt<T>(read: () => T): ParseResult<T> {
  try {
    return { ok: true, command: read() };
  } catch (err) {
    if (err instanceof Problem) return { ok: false, field: err.field, problem: err.problem };
    throw err;
  }
}

function readUnsigned(value: unknown): UnsignedCommand {
  if (!isPlainObject(value)) throw new Problem('command', 'must be an object');
  const id = text(value.id, 'id');
  if (!UUID.test(id)) throw new Problem('id', 'must be a lower-case UUID');
  if (value.type === UNKNOWN_COMMAND_TYPE) {
    throw new Problem('type', 'is a command type this build does not know (issued with a newer schema); upgrade this app');
  }
  if (!isControlCommandType(value.type)) throw new Problem('type', `is not a control command type: ${String(value.type)}`);
  const issuedAt = millis(value.issuedAt, 'issuedAt');
  const expiresAt = millis(value.expiresAt, 'expiresAt');
  if (expiresAt <= issuedAt) throw new Problem('expiresAt', 'must be after issuedAt');
  const issuedBy = text(value.issuedBy, 'issuedBy');
  if (issuedBy === '') throw new Problem('issuedBy', 'must not be empty');
  return {
    id,
    type: value.type,
    target: readTarget(value.target),
    args: readArgs(value.args),
    issuedBy,
    issuedAt,
    expiresAt,
  };
}

function readTarget(value: unknown): ControlTarget {
  if (value === undefined || value === null) return { app: null, tenant: null, reason: null };
  if (!isPlainObject(value)) throw new Problem('target', 'must be an object');
  const reason = optionalName(value.reason, 'target.reason');
  if (reason !== null && !isReasonCode(reason)) throw new Problem('target.reason', `is not a reason code: ${reason}`);
  return { app: optionalName(value.app, 'target.app'), tenant: optionalName(value.tenant, 'target.tenant'), reason };
}

function readArgs(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new Problem('args', 'must be a map of strings');
  const args: Record<string, string> = {};
  for (const [key, arg] of Object.entries(value)) {
    text(key, 'args key');
    // defineProperty, not assignment: a key named __proto__ stays an ordinary entry.
    Object.defineProperty(args, key, { value: text(arg, `args.${key}`), enumerable: true, writable: true, configurable: true });
  }
  return args;
}

function optionalName(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  const name = text(value, field);
  if (name === '') throw new Problem(field, 'must be null or a non-empty string');
  return name;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new Problem(field, 'must be a string');
  if (LONE_SURROGATE.test(value)) throw new Problem(field, 'is not well-formed Unicode (lone surrogate)');
  return value;
}

function millis(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Problem(field, 'must be epoch milliseconds (a non-negative safe integer)');
  }
  return value;
}

// Not only literal objects: avsc decodes records into instances of generated classes.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date);
}
