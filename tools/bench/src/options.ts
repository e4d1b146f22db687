// `npm run bench -- [options]`: what to run, validated before anything starts.
import { parseArgs } from 'node:util';
import type { Format } from './load-messages.js';

export interface BenchOptions {
  records: number;
  size: number;
  tenants: number;
  dupPct: number;
  badPct: number;
  format: Format;
  rate: number;
  /** Higher steady rates, tried in order until one's p99 reaches a second (none: []). */
  sweep: number[];
  durationSec: number;
  /** Seconds B is offered in each half of the fairness phase (A: half of that). */
  fairSec: number;
  partitions: number;
  seed: number;
  /** Run the apps with --cpu-prof and report where their time went. */
  profile: boolean;
  /** The traced router phase's sampling ratio (0: no traced phase). */
  traceRatio: number;
  /** The Kafka adapter (MESH_KAFKA_CLIENT when absent), or both: the whole bench once per adapter. */
  client: 'kafkajs' | 'platformatic' | 'both' | undefined;
}

export const USAGE = `npm run bench -- [--records N] [--size BYTES] [--tenants N] [--dup PCT] [--bad PCT]
                    [--format avro|json] [--rate PER_SEC] [--sweep R1,R2,...|none] [--duration SEC]
                    [--fair-duration SEC]
                    [--partitions N] [--seed N] [--profile] [--trace-ratio R]
                    [--client kafkajs|platformatic|both]
  --records     records for the throughput phases (default 40000)
  --size        bytes per record, about (default 1024)
  --tenants     tenants the records are spread over (default 4)
  --dup, --bad  percent of duplicates and of records that are no envelope (default 5, 1)
  --format      envelope format on the raw topic (default avro)
  --rate        records/s of the steady phase that measures end-to-end latency (default 2500)
  --sweep       higher steady rates, each run like --rate's, in order until one's p99 reaches
                1 s: the report states the highest rate whose p99 stays under it
                (default 5000,7500,10000; none: --rate only)
  --duration    seconds of each steady phase (default 20)
  --fair-duration  seconds tenant B is offered half its rate, alone and then with tenant A offered
                five times its rate for the first half of it (default 20)
  --partitions  partitions of the run's topics (default 4)
  --seed        of the load plan (default: random, printed)
  --profile     run the apps with node --cpu-prof; the report lists each app's hotspots
  --trace-ratio the router drains a second backlog with tracing on (OTLP to a local receiver,
                parentbased_traceidratio at R, the records' traceparents sampled at R): its
                cost against the untraced router of the same run; 0 skips it (default 0.01)
  --client      the Kafka adapter of the apps and the bench (default: MESH_KAFKA_CLIENT, else the
                port's default); both: the whole bench once per adapter, one after the other, and
                a side-by-side report (dist/bench/<time>-both.md)`;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      size: { type: 'string' },
      tenants: { type: 'string' },
      dup: { type: 'string' },
      bad: { type: 'string' },
      format: { type: 'string' },
      rate: { type: 'string' },
      sweep: { type: 'string' },
      duration: { type: 'string' },
      'fair-duration': { type: 'string' },
      partitions: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'boolean' },
      'trace-ratio': { type: 'string' },
      client: { type: 'string' },
    },
    strict: true,
  });
  const int = (name: Exclude<keyof typeof values, 'profile' | 'trace-ratio' | 'client' | 'sweep'>, fallback: number, min: number, max: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const format = values.format ?? 'avro';
  if (format !== 'avro' && format !== 'json') throw new Error(`--format must be avro or json, got "${format}"`);
  const traceRatio = Number(values['trace-ratio'] ?? 0.01);
  if (values['trace-ratio'] !== undefined && (values['trace-ratio'].trim() === '' || !(traceRatio >= 0 && traceRatio <= 1))) {
    throw new Error(`--trace-ratio must be a number from 0 to 1, got "${values['trace-ratio']}"`);
  }
  const client = values.client;
  if (client !== undefined && client !== 'kafkajs' && client !== 'platformatic' && client !== 'both') {
    throw new Error(`--client must be kafkajs, platformatic or both, got "${client}"`);
  }
  const dupPct = int('dup', 5, 0, 50);
  const badPct = int('bad', 1, 0, 50);
  return {
    records: int('records', 40_000, 1000, 10_000_000),
    size: int('size', 1024, 200, 1024 * 1024),
    tenants: int('tenants', 4, 1, 1000),
    dupPct,
    badPct,
    format,
    rate: int('rate', 2500, 1, 1_000_000),
    sweep: sweepOf(values.sweep),
    durationSec: int('duration', 20, 1, 3600),
    fairSec: int('fair-duration', 20, 2, 3600),
    partitions: int('partitions', 4, 1, 256),
    seed: int('seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31),
    profile: values.profile ?? false,
    traceRatio,
    client,
  };
}

/** --sweep: rates (records/s) separated by commas, or none. */
function sweepOf(raw: string | undefined): number[] {
  if (raw === undefined) return [5000, 7500, 10_000];
  if (raw.trim() === 'none') return [];
  const rates = raw.split(',').map((r) => Number(r.trim()));
  if (rates.length === 0 || rates.some((r) => !Number.isInteger(r) || r < 1 || r > 1_000_000)) {
    throw new Error(`--sweep must be rates from 1 to 1000000 separated by commas, or none, got "${raw}"`);
  }
  return rates;
}
