// The fault schedule, a pure function of the seed: when each component dies, how, and for how
// long it stays down. Infrastructure outages are spread over slots of the chaos window so that
// two of them never overlap (the executor also waits for one to be healthy again before the
// next); app kills fall anywhere in the window and may coincide with an outage — a crash while
// Kafka or PostgreSQL is away is exactly the interesting case.
import { between, seeded, shuffle } from './random.js';

export const APPS = ['ingest-router', 'sink-postgres', 'sink-history', 'sink-search'] as const;
export const INFRA = ['kafka', 'postgres', 'redis', 'search'] as const;
export type AppName = (typeof APPS)[number];
export type InfraName = (typeof INFRA)[number];
export type Target = AppName | InfraName;

export interface ChaosEvent {
  /** Milliseconds after the start of the load. */
  at: number;
  target: Target;
  /** sigkill: kill -9 (an app; a server's whole process group); stop: `stack.sh down` (graceful). */
  how: 'sigkill' | 'stop';
  /** How long it stays down before the restart. */
  downMs: number;
}

export interface ScheduleOptions {
  seed: number;
  durationMs: number;
  /** CI: one kill of each app, one outage each of Kafka, PostgreSQL and Redis; no search outage (its restart alone takes ~40 s). */
  short: boolean;
}

export const isApp = (t: Target): t is AppName => (APPS as readonly string[]).includes(t);

/** Events sorted by time, all inside [10 %, 80 %] of the duration so the tail can drain. */
export function planSchedule(o: ScheduleOptions): ChaosEvent[] {
  const random = seeded(o.seed);
  const from = Math.round(o.durationMs * 0.1);
  const to = Math.round(o.durationMs * 0.8);
  const appKills: AppName[] = o.short ? [...APPS] : [...APPS, ...APPS];
  const outages: InfraName[] = shuffle(
    random,
    o.short ? ['kafka', 'postgres', 'redis'] : ['kafka', 'kafka', 'postgres', 'postgres', 'redis', 'redis', 'search'],
  );
  const events: ChaosEvent[] = [];
  const slot = (to - from) / outages.length;
  outages.forEach((target, i) => {
    // Early in its slot, so the restart (Kafka ~10 s, the search engine ~40 s) fits before the next.
    const at = Math.round(from + i * slot + random() * slot * 0.3);
    events.push({ at, target, how: random() < 0.5 ? 'sigkill' : 'stop', downMs: between(random, 2_000, 6_000) });
  });
  for (const target of appKills) {
    events.push({ at: between(random, from, to), target, how: 'sigkill', downMs: between(random, 500, 3_000) });
  }
  return events.sort((a, b) => a.at - b.at || a.target.localeCompare(b.target));
}

export function describeEvent(e: ChaosEvent): string {
  return `t+${(e.at / 1000).toFixed(1)}s ${e.how === 'sigkill' ? 'SIGKILL' : 'stop'} ${e.target}, down ${(e.downMs / 1000).toFixed(1)}s`;
}
