// The redriver's own variables (beside the runtime's), validated at start-up: a bad value stops
// the app naming the variable. Delay tiers are written like 60s,10m,1h.
import { endpointEnv, env, parseEnv } from '@ingest-mesh/env-config';
import { runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import { z } from 'zod';

export const APP = 'dlq-redriver';

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s" → 90000; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

const tiers = z
  .string()
  .transform((v, ctx) => {
    const parts = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ms = parts.map(parseDuration);
    if (parts.length === 0 || ms.some((d) => d === undefined || d <= 0)) {
      ctx.addIssue({ code: 'custom', message: 'expected comma-separated durations such as 60s,10m,1h' });
      return z.NEVER;
    }
    return ms as number[];
  })
  .default([60_000, 600_000, 3_600_000]);

export const redriverEnvShape = {
  ...runtimeEnvShape,
  DATABASE_URL: endpointEnv.DATABASE_URL,
  DLQ_STORE_SCHEMA: env
    .string('mesh_dlq')
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lower-case schema name such as mesh_dlq' })
    .default('mesh_dlq'),
  // Which topics are DLQs: every existing topic matching the pattern, plus the listed ones.
  DLQ_TOPIC_PATTERN: env.regex('^dlq\\.').default('^dlq\\.'),
  DLQ_TOPICS: env.list('dlq.sink-postgres,dlq.sink-search').optional(),
  // How often topics are listed again; a new DLQ topic restarts the consumer with it.
  DLQ_TOPIC_REFRESH_MS: env.int(1000, 3_600_000, 60_000),
  // The consumer group of the DLQ topics (every instance of one deployment shares it).
  DLQ_GROUP_ID: env.string('mesh.dlq-redriver').default('mesh.dlq-redriver'),
  DLQ_AUTO_REDRIVE: env.bool(true),
  // Delay before the 1st, 2nd… automatic redrive of a retryable letter; one tier per attempt.
  DLQ_REDRIVE_TIERS: tiers,
  // Redrives (automatic or manual) after which a letter that fails again is quarantined.
  // Default: the number of tiers.
  DLQ_MAX_REDRIVES: env.int(1, 1000, 0),
  // Failed produces to the origin topic after which a letter is quarantined.
  DLQ_MAX_SEND_FAILURES: env.int(1, 1000, 3),
  DLQ_SCHEDULER_INTERVAL_MS: env.int(100, 600_000, 5000),
  DLQ_REDRIVE_BATCH: env.int(1, 10_000, 500),
  // A row left `redriving` (or a job left running) this long by a crashed instance is taken over.
  DLQ_CLAIM_TIMEOUT_MS: env.int(1000, 3_600_000, 60_000),
  DLQ_JOB_POLL_MS: env.int(50, 60_000, 1000),
  DLQ_PG_POOL_MAX: env.int(1, 100, 5),
};

export type RedriverEnv = z.infer<z.ZodObject<typeof redriverEnvShape>>;

export function loadRedriverEnv(source: NodeJS.ProcessEnv = process.env): RedriverEnv {
  const e = parseEnv(redriverEnvShape, source);
  // A redriver never dead-letters a dead letter: store failures are retried until PostgreSQL is back.
  return { ...e, MESH_EXHAUSTED_RETRIES: 'block', DLQ_MAX_REDRIVES: e.DLQ_MAX_REDRIVES || e.DLQ_REDRIVE_TIERS.length };
}
