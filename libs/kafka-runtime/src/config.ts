// Start-up configuration from the environment, validated against a schema: a bad value fails
// fast with the variable's name and what was expected, before anything connects.
import { z } from 'zod';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses `env` with a schema whose keys are the environment variable names. */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const got = input[String(issue.path[0])];
      const shown = got === undefined ? 'nothing' : isSecretName(name) ? '(hidden)' : JSON.stringify(got);
      return `${name}: ${issue.message} (got ${shown})`;
    }),
  );
}

function isSecretName(name: string): boolean {
  return /SECRET|TOKEN|PASSWORD/.test(name);
}

// Reusable field types, each with the message an operator needs.
export const env = {
  string: (example: string) => z.string({ error: `expected a value such as ${example}` }).min(1),
  optionalString: () => z.string().min(1).optional(),
  int: (min: number, max: number, fallback: number) =>
    z.coerce
      .number({ error: `expected an integer from ${min} to ${max}` })
      .int({ error: `expected an integer from ${min} to ${max}` })
      .min(min, { error: `expected an integer from ${min} to ${max}` })
      .max(max, { error: `expected an integer from ${min} to ${max}` })
      .default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
  oneOf: <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values, { error: `expected one of ${values.join(', ')}` }).default(fallback as never),
  list: (example: string) =>
    z
      .string({ error: `expected a comma-separated list such as ${example}` })
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .refine((l) => l.length > 0, { error: `expected a comma-separated list such as ${example}` }),
  secret: (minLength: number) =>
    z
      .string({ error: `expected a secret of at least ${minLength} characters (set it in the environment)` })
      .min(minLength, { error: `expected a secret of at least ${minLength} characters` }),
  url: (example: string) =>
    z.string({ error: `expected a URL such as ${example}` }).refine((v) => URL.canParse(v), { error: `expected a URL such as ${example}` }),
};

/** The variables every app built on the runtime reads. */
export const runtimeEnvShape = {
  KAFKA_BROKERS: env.list('127.0.0.1:9092').default(['127.0.0.1:9092']),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7').default('http://127.0.0.1:8081/apis/ccompat/v7'),
  REDIS_URL: env.url('redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  MESH_INSTANCE_ID: env.optionalString(),
  MESH_HTTP_HOST: env.string('0.0.0.0').default('127.0.0.1'),
  MESH_HTTP_PORT: env.int(0, 65535, 8080),
  MESH_ADMIN_TOKEN: env.secret(16),
  MESH_CONTROL_SECRET: env.secret(32),
  MESH_CONTROL_SECRET_PREVIOUS: env.secret(32).optional(),
  MESH_CONTROL_TOPIC: env.string('mesh.control').default('mesh.control'),
  MESH_EVENTS_TOPIC: env.string('mesh.events').default('mesh.events'),
  MESH_BATCH_MAX_RECORDS: env.int(1, 100_000, 500),
  // A round ends before its key, value and header bytes exceed this; a bigger record is a round of its own.
  MESH_BATCH_MAX_BYTES: env.int(1024, 1024 * 1024 * 1024, 5 * 1024 * 1024),
  // Linger: a fetch waits for this many bytes, or MESH_FETCH_MAX_WAIT_MS, whichever comes first.
  MESH_FETCH_MIN_BYTES: env.int(1, 100 * 1024 * 1024, 1),
  MESH_FETCH_MAX_WAIT_MS: env.int(10, 60_000, 500),
  // What one fetch brings per partition (kafkajs maxBytesPerPartition): a batch, cut into rounds, is at most this.
  MESH_FETCH_MAX_BYTES_PER_PARTITION: env.int(1024, 1024 * 1024 * 1024, 1024 * 1024),
  MESH_PARTITIONS_CONCURRENCY: env.int(1, 64, 3),
  MESH_RETRY_BASE_MS: env.int(1, 60_000, 200),
  MESH_RETRY_CAP_MS: env.int(1, 600_000, 30_000),
  MESH_RETRY_MAX_ATTEMPTS: env.int(1, 100, 5),
  MESH_EXHAUSTED_RETRIES: env.oneOf(['dlq', 'block'] as const, 'dlq'),
  MESH_IDEMPOTENCY_WHEN_REDIS_DOWN: env.oneOf(['fail-closed', 'fail-open'] as const, 'fail-closed'),
  MESH_IDEMPOTENCY_TTL_SECONDS: env.int(60, 90 * 24 * 3600, 7 * 24 * 3600),
  // How long a crashed instance's claim on a record blocks others: the redelivery delay after a crash.
  MESH_IDEMPOTENCY_RESERVATION_SECONDS: env.int(1, 3600, 30),
  MESH_SHUTDOWN_DEADLINE_MS: env.int(1000, 600_000, 30_000),
  MESH_LAG_INTERVAL_MS: env.int(1000, 3_600_000, 15_000),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'info'),
};

export type RuntimeEnv = z.infer<z.ZodObject<typeof runtimeEnvShape>>;
