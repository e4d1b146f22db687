// Command line of `npm run chaos`.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  seed: number;
  durationSec: number;
  short: boolean;
  ids: number;
  revisions: number;
  /** Seconds to wait, after the load, for every consumer group to catch up. */
  drainSec: number;
  /** Keep the chaos stack's directory (logs, data) instead of removing it. */
  keep: boolean;
}

export const USAGE = `usage: chaos [--short] [--seed N] [--duration SECONDS] [--ids N] [--revisions N] [--drain SECONDS] [--keep]
  --short       CI mode: 50 s of chaos, one kill of each app, one outage each of Kafka, PostgreSQL, Redis
  --seed N      the schedule's and the load's seed (printed by every run; replays it)
  --duration S  length of the load and the chaos (default 120; 50 with --short)
  --ids N       customers (default 500; 300 with --short), each sent at --revisions revisions (default 4)
  --drain S     bound on the wait for every consumer group to catch up afterwards (default 180)
  --keep        keep the chaos stack's directory (logs) instead of removing it`;

function positive(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseChaosOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      short: { type: 'boolean', default: false },
      seed: { type: 'string' },
      duration: { type: 'string' },
      ids: { type: 'string' },
      revisions: { type: 'string' },
      drain: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const short = values.short ?? false;
  return {
    seed: values.seed === undefined ? randomInt(1, 2 ** 31 - 1) : positive('seed', values.seed, 1, 2 ** 32 - 1),
    durationSec: positive('duration', values.duration, short ? 50 : 120, 3600),
    short,
    ids: positive('ids', values.ids, short ? 300 : 500, 100_000),
    revisions: positive('revisions', values.revisions, 4, 100),
    drainSec: positive('drain', values.drain, 180, 3600),
    keep: values.keep ?? false,
  };
}
