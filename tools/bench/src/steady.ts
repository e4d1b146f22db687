// Phase 6: steady load with every app running, produce time (occurredAt) → the row's write in
// sink-postgres. First at --rate (#17's latency figure: 2,500/s), then up the --sweep rates until
// one's p99 reaches a second: the report states the highest offered rate whose p99 stays under it.
import type { Admin, Producer } from '@ingest-mesh/kafka-client';
import { endOffsetTotal, produceAtRate, waitCaughtUp } from './kafka-io.js';
import { stampedJson } from './load-messages.js';
import { planLoad } from './load-plan.js';
import type { Row } from './report.js';
import { distribution, perSecond, type Distribution } from './stats.js';

/** The p99 the sweep stops at, and the bound of "the highest rate whose p99 stays under a second". */
export const SWEEP_P99_LIMIT_MS = 1000;

export interface SteadyResult {
  rate: number;
  durationSec: number;
  achieved: number;
  tenants: number;
  parked: number;
  lat: Distribution;
}

export interface SteadyContext {
  producer: Producer;
  admin: Admin;
  rawTopic: string;
  deferredTopic: string;
  routerGroup: string;
  pgGroup: string;
  pgTopic: string;
  size: number;
  durationSec: number;
  seed: number;
  run: string;
  /** Tenants a rate is spread over (each below its limit: the latency of the router, not of the limit). */
  tenantsFor(rate: number): number;
  /** Produce → row latencies (ms) of the rows whose id starts with the prefix. */
  latencies(prefix: string): Promise<number[]>;
  phase<T>(what: string, work: () => Promise<T>): Promise<T>;
}

/** One steady run at `rate` for durationSec: JSON envelopes stamped at send, ids `lat<rate>-…`. */
export async function steadyAt(ctx: SteadyContext, rate: number): Promise<SteadyResult> {
  const count = rate * ctx.durationSec;
  const tenants = ctx.tenantsFor(rate);
  const prefix = `lat${rate}-`;
  const plan = planLoad({ count, size: ctx.size, tenants, dupPct: 0, badPct: 0, seed: ctx.seed + rate, run: ctx.run, idPrefix: prefix });
  const parkedBefore = await endOffsetTotal(ctx.admin, ctx.deferredTopic);
  const ms = await ctx.phase(`steady ${rate}/s`, async () => {
    // JSON envelopes, so occurredAt is the send time of each tick without an encode per record.
    const sent = await produceAtRate(
      ctx.producer,
      ctx.rawTopic,
      (i, now) => {
        const p = plan[i] as Extract<(typeof plan)[number], { kind: 'good' }>;
        return stampedJson(p.tenant, p.id, p.name, now);
      },
      count,
      rate,
    );
    await waitCaughtUp(ctx.admin, ctx.routerGroup, ctx.rawTopic, 300_000);
    await waitCaughtUp(ctx.admin, ctx.pgGroup, ctx.pgTopic, 300_000);
    return sent;
  });
  const parked = (await endOffsetTotal(ctx.admin, ctx.deferredTopic)) - parkedBefore;
  return { rate, durationSec: ctx.durationSec, achieved: perSecond(count, ms), tenants, parked, lat: distribution(await ctx.latencies(prefix)) };
}

/** --rate, then the sweep's higher rates in order until one's p99 reaches SWEEP_P99_LIMIT_MS. */
export async function steadyPhases(ctx: SteadyContext, rate: number, sweep: readonly number[]): Promise<SteadyResult[]> {
  const results = [await steadyAt(ctx, rate)];
  for (const next of sweepAbove(rate, sweep)) {
    if (results.at(-1)!.lat.p99 >= SWEEP_P99_LIMIT_MS) break;
    results.push(await steadyAt(ctx, next));
  }
  return results;
}

/** The sweep's rates above `rate`, ascending, each once. */
export function sweepAbove(rate: number, sweep: readonly number[]): number[] {
  return [...new Set(sweep)].filter((r) => r > rate).sort((a, b) => a - b);
}

/** The highest offered rate whose p99 stayed under the limit (undefined: none did). */
export function highestRateUnder(results: readonly SteadyResult[], limitMs = SWEEP_P99_LIMIT_MS): number | undefined {
  const under = results.filter((r) => r.lat.p99 < limitMs).map((r) => r.rate);
  return under.length > 0 ? Math.max(...under) : undefined;
}

/** The report's rows: p50/p95/p99 at --rate against #17's 300 ms, p99 per sweep rate, the highest rate under a second. */
export function steadyRows(results: readonly SteadyResult[], limitPerTenant: number, targetP99Ms = 300): Row[] {
  const [first, ...sweep] = results;
  if (!first) return [];
  const note = (r: SteadyResult) =>
    `${Math.round(r.achieved)} records/s offered for ${r.durationSec} s (JSON envelopes stamped at send) over ${r.tenants} tenants (~${Math.round(r.achieved / r.tenants)}/s each, limit ${limitPerTenant}/s): ${r.parked} parked; ${r.lat.count} rows`;
  const rows: Row[] = [
    { what: `end to end p50 at ${first.rate}/s (produce → sink-postgres write)`, value: first.lat.p50, unit: 'ms', note: note(first) },
    { what: `end to end p95 at ${first.rate}/s`, value: first.lat.p95, unit: 'ms' },
    { what: `end to end p99 at ${first.rate}/s`, value: first.lat.p99, unit: 'ms', target: { value: targetP99Ms, atLeast: false } },
  ];
  for (const r of sweep) rows.push({ what: `end to end p99 at ${r.rate}/s (p50 ${Math.round(r.lat.p50)} ms)`, value: r.lat.p99, unit: 'ms', note: note(r) });
  const highest = highestRateUnder(results);
  const tried = results.map((r) => r.rate).join(', ');
  rows.push({
    what: `highest offered rate with p99 < ${SWEEP_P99_LIMIT_MS} ms (of ${tried}/s)`,
    value: highest ?? 0,
    unit: 'records/s',
    ...(results.at(-1)!.lat.p99 < SWEEP_P99_LIMIT_MS ? { note: 'every rate tried stayed under: a higher --sweep rate finds the limit' } : {}),
  });
  return rows;
}
