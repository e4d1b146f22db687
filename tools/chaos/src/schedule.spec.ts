import { describe, expect, it } from 'vitest';
import { APPS, planSchedule } from './schedule.js';

describe('planSchedule', () => {
  it('is a function of the seed: the same seed gives the same schedule, another seed another', () => {
    const a = planSchedule({ seed: 42, durationMs: 120_000, short: false });
    expect(planSchedule({ seed: 42, durationMs: 120_000, short: false })).toEqual(a);
    expect(planSchedule({ seed: 43, durationMs: 120_000, short: false })).not.toEqual(a);
  });

  it('short mode kills each app once and takes Kafka, PostgreSQL and Redis down once', () => {
    for (const seed of [1, 2, 3, 99, 123456]) {
      const targets = planSchedule({ seed, durationMs: 50_000, short: true })
        .map((e) => e.target)
        .sort();
      expect(targets).toEqual([...APPS, 'kafka', 'postgres', 'redis'].sort());
    }
  });

  it('the full mode hits every component, the search engine included', () => {
    const targets = new Set(planSchedule({ seed: 7, durationMs: 120_000, short: false }).map((e) => e.target));
    expect([...targets].sort()).toEqual([...APPS, 'kafka', 'postgres', 'redis', 'search'].sort());
  });

  it('keeps every fault inside 10–80 % of the run, sorted, with bounded down times; apps are always SIGKILLed', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const events = planSchedule({ seed, durationMs: 100_000, short: seed % 2 === 0 });
      expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((x, y) => x - y));
      for (const e of events) {
        expect(e.at).toBeGreaterThanOrEqual(10_000);
        expect(e.at).toBeLessThanOrEqual(80_000);
        expect(e.downMs).toBeGreaterThanOrEqual(500);
        expect(e.downMs).toBeLessThanOrEqual(6_000);
        if ((APPS as readonly string[]).includes(e.target)) expect(e.how).toBe('sigkill');
      }
    }
  });

  it('spreads infrastructure outages over separate slots, in time order', () => {
    const infra = planSchedule({ seed: 5, durationMs: 120_000, short: false }).filter((e) => !(APPS as readonly string[]).includes(e.target));
    const slot = (120_000 * 0.7) / infra.length;
    infra.forEach((e, i) => expect(Math.floor((e.at - 12_000) / slot)).toBe(i));
  });
});
