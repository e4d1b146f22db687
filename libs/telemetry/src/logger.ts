// Structured JSON logs (pino) that cannot leak credentials: secret-named fields are censored by
// pino's redaction, and every finished line passes through redactSecretsInText so URL passwords
// are removed wherever they appear — message, nested field, error message or stack.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { defaultInstanceId } from './instance.js';
import { redactSecretsInText } from './redact-url.js';

export type Logger = PinoLogger;

export interface LoggerOptions {
  app: string;
  /** pino level; default LOG_LEVEL or 'info'. */
  level?: string;
  /** Where lines go; default stdout. Tests pass an in-memory stream. */
  destination?: DestinationStream;
  /** Default: defaultInstanceId(). */
  instance?: string;
  /** Extra pino redaction paths, added to SECRET_LOG_PATHS. */
  redact?: readonly string[];
}

const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'privateKey',
  'authorization',
  'cookie',
  'sasl',
  'MESH_CONTROL_SECRET',
  'MESH_ADMIN_TOKEN',
];

/** Field paths censored in every log line (top level and one level down, plus request headers). */
export const SECRET_LOG_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-admin-token"]',
  'headers["x-admin-token"]',
  '*.headers.authorization',
  '*.headers.cookie',
];

export const REDACTED_FIELD = '[REDACTED]';

export function createLogger(opts: LoggerOptions): Logger {
  const options = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { app: opts.app, instance: opts.instance ?? defaultInstanceId(), pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: [...SECRET_LOG_PATHS, ...(opts.redact ?? [])], censor: REDACTED_FIELD },
    hooks: { streamWrite: redactSecretsInText },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
