// Who issues a control command, and the key it is signed with, as every operator CLI that signs
// commands reads them (dlqtriage, replayctl): the same variables, the same precedence, the same
// messages. The secret is never taken from a flag and never printed.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { CONTROL_SECRET_VAR, ControlSecretError, MIN_SECRET_BYTES } from './secret.js';

export const OPERATOR_VAR = 'MESH_OPERATOR';
export const CONTROL_SECRET_FILE_VAR = 'MESH_CONTROL_SECRET_FILE';

/** The same lines for every CLI's help text and README (precedence in the order given). */
export const OPERATOR_ENV_HELP = [
  'environment of the commands that change something:',
  `  ${CONTROL_SECRET_VAR.padEnd(26)}the control secret (at least ${MIN_SECRET_BYTES} bytes), or`,
  `  ${CONTROL_SECRET_FILE_VAR.padEnd(26)}a file holding it (a mounted secret); set one, not both`,
  `  ${OPERATOR_VAR.padEnd(26)}issuedBy of the commands; default <os user>@<host>`,
].join('\n');

export interface OperatorOptions {
  /**
   * Variables a CLI read before MESH_OPERATOR existed, still honoured and taking precedence
   * over it, in order (replayctl: REPLAYCTL_USER).
   */
  legacyVariables?: readonly string[];
  /** The OS fallback, `<os user>@<host>`; injectable for tests. */
  osIdentity?: () => string;
}

/**
 * `issuedBy` of the commands a CLI signs: the first set of the CLI's legacy variables, else
 * MESH_OPERATOR, else `<os user>@<host>`. Blank values count as unset; values are trimmed.
 */
export function operatorFromEnv(env: NodeJS.ProcessEnv = process.env, options: OperatorOptions = {}): string {
  for (const name of [...(options.legacyVariables ?? []), OPERATOR_VAR]) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return (options.osIdentity ?? osIdentity)();
}

/** `<os user>@<host>`; the user from USER/LOGNAME when the OS has no name for the uid. */
export function osIdentity(): string {
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME;
  }
  return `${user || 'unknown'}@${os.hostname() || 'unknown'}`;
}

export interface SigningSecretOptions {
  /** Reads MESH_CONTROL_SECRET_FILE; injectable for tests. */
  readFile?: (path: string) => string;
}

/**
 * The key a CLI signs commands with: MESH_CONTROL_SECRET, or the contents of the file named by
 * MESH_CONTROL_SECRET_FILE (a mounted secret). Surrounding whitespace, such as a file's final
 * newline, is ignored, as the apps ignore it in MESH_CONTROL_SECRET. Throws ControlSecretError,
 * naming the variables, when neither or both are set, the file cannot be read, or the secret
 * is shorter than 32 bytes.
 */
export function signingSecretFromEnv(env: NodeJS.ProcessEnv = process.env, options: SigningSecretOptions = {}): string {
  const inline = env[CONTROL_SECRET_VAR]?.trim() || undefined;
  const file = env[CONTROL_SECRET_FILE_VAR]?.trim() || undefined;
  if (inline !== undefined && file !== undefined) {
    throw new ControlSecretError(`both ${CONTROL_SECRET_VAR} and ${CONTROL_SECRET_FILE_VAR} are set: set only one`, CONTROL_SECRET_VAR);
  }
  if (inline !== undefined) return checked(inline, CONTROL_SECRET_VAR);
  if (file !== undefined) {
    let text: string;
    try {
      text = (options.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(file);
    } catch (err) {
      const why =
        typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : err instanceof Error ? err.message : String(err);
      throw new ControlSecretError(`${CONTROL_SECRET_FILE_VAR}: cannot read ${file} (${why})`, CONTROL_SECRET_FILE_VAR);
    }
    const secret = text.trim();
    if (secret === '') throw new ControlSecretError(`${CONTROL_SECRET_FILE_VAR}: ${file} is empty`, CONTROL_SECRET_FILE_VAR);
    return checked(secret, `${CONTROL_SECRET_FILE_VAR} (${file})`, CONTROL_SECRET_FILE_VAR);
  }
  throw new ControlSecretError(
    `${CONTROL_SECRET_VAR} is not set: commands that change something are signed with the mesh control secret; ` +
      `set ${CONTROL_SECRET_VAR} to it, or ${CONTROL_SECRET_FILE_VAR} to a file that holds it (at least ${MIN_SECRET_BYTES} bytes)`,
    CONTROL_SECRET_VAR,
  );
}

function checked(secret: string, what: string, variable = CONTROL_SECRET_VAR): string {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    throw new ControlSecretError(`${what} is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES} (e.g. openssl rand -hex 32)`, variable);
  }
  return secret;
}
