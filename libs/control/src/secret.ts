// The control secret: the HMAC key that lets its holders issue commands. Read from the
// environment; too-short keys are refused everywhere a key is used, not only at start-up.
import { MeshError } from '@ingest-mesh/reason-codes';

export const CONTROL_SECRET_VAR = 'MESH_CONTROL_SECRET';
export const PREVIOUS_CONTROL_SECRET_VAR = 'MESH_CONTROL_SECRET_PREVIOUS';
export const MIN_SECRET_BYTES = 32;

export type ControlSecret = string | Buffer;

/** A missing or weak control secret: a configuration fault, never retried. */
export class ControlSecretError extends MeshError {
  readonly variable: string | undefined;
  constructor(message: string, variable?: string) {
    super('INTERNAL_ERROR', message, { retryable: false });
    this.variable = variable;
  }
}

/** The current secret, from MESH_CONTROL_SECRET (surrounding whitespace ignored). */
export function controlSecretFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const secret = readSecret(env, CONTROL_SECRET_VAR);
  if (secret === undefined) {
    throw new ControlSecretError(
      `${CONTROL_SECRET_VAR} is not set; set it to a random secret of at least ${MIN_SECRET_BYTES} bytes (e.g. openssl rand -hex 32)`,
      CONTROL_SECRET_VAR,
    );
  }
  return secret;
}

/**
 * The secrets a verifier accepts, current first: MESH_CONTROL_SECRET and, during a rotation,
 * MESH_CONTROL_SECRET_PREVIOUS. Pass the list to verifyCommand; sign with the first.
 */
export function controlSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const current = controlSecretFromEnv(env);
  const previous = readSecret(env, PREVIOUS_CONTROL_SECRET_VAR);
  return previous === undefined || previous === current ? [current] : [current, previous];
}

/** Throws ControlSecretError unless the key is at least MIN_SECRET_BYTES long. */
export function assertStrongSecret(secret: ControlSecret, name = 'control secret'): Buffer {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (key.length < MIN_SECRET_BYTES) {
    throw new ControlSecretError(`${name} is ${key.length} bytes; at least ${MIN_SECRET_BYTES} are required`);
  }
  return key;
}

function readSecret(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = env[variable]?.trim();
  if (value === undefined || value === '') return undefined;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    throw new ControlSecretError(`${variable} is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES} (e.g. openssl rand -hex 32)`, variable);
  }
  return value;
}
