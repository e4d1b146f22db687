import { describe, expect, it } from 'vitest';
import { composeStatus, initialStatus, nextState, statusFromState, transition } from './state-machine.js';
import { DEFAULT_THRESHOLDS as T } from './thresholds.js';
import type { BackpressureEvent, BackpressureStatus } from './types.js';

const calm: BackpressureEvent = { type: 'signals', inFlight: 0, maxInFlight: 100, sinkLatencyMs: 0, circuitOpen: false };
const circuitOpen: BackpressureEvent = { ...calm, circuitOpen: true };
const slow: BackpressureEvent = { ...calm, sinkLatencyMs: 2_500 };
const verySlow: BackpressureEvent = { ...calm, sinkLatencyMs: 9_000 };

function run(events: BackpressureEvent[], from: BackpressureStatus = initialStatus(T)): BackpressureStatus {
  return events.reduce((status, event) => nextState(status, event, T), from);
}

describe('transition: manual commands', () => {
  it('drain, pause and brownout are manual; resume lands in normal (auto)', () => {
    expect(run([{ type: 'drain' }])).toMatchObject({ state: 'drain', mode: 'manual' });
    expect(run([{ type: 'pause' }])).toMatchObject({ state: 'paused', mode: 'manual' });
    expect(run([{ type: 'brownout', sampleRate: 0.3 }])).toMatchObject({ state: 'brownout', mode: 'manual', sampleRate: 0.3 });
    for (const command of ['drain', 'pause'] as const) {
      expect(run([{ type: command }, { type: 'resume' }])).toMatchObject({ state: 'normal', mode: 'auto', manual: null });
    }
  });

  it('a later command replaces an earlier one, except that only resume leaves drain', () => {
    expect(run([{ type: 'pause' }, { type: 'brownout', sampleRate: 0.5 }]).state).toBe('brownout');
    expect(run([{ type: 'brownout', sampleRate: 0.5 }, { type: 'pause' }]).state).toBe('paused');
    expect(run([{ type: 'pause' }, { type: 'drain' }]).state).toBe('drain');
    const draining = run([{ type: 'drain' }]);
    expect(transition(draining, { type: 'pause' }, T)).toEqual({ status: draining, cause: 'ignored-while-draining' });
    expect(transition(draining, { type: 'brownout', sampleRate: 1 }, T).status.state).toBe('drain');
  });

  it('manual states ignore the signals', () => {
    for (const command of [{ type: 'drain' }, { type: 'pause' }] as const) {
      const after = run([command, verySlow, circuitOpen, calm, calm]);
      expect(after).toMatchObject({ state: command.type === 'drain' ? 'drain' : 'paused', mode: 'manual' });
    }
    expect(run([{ type: 'brownout', sampleRate: 0.2 }, slow, verySlow, calm, calm])).toMatchObject({
      state: 'brownout',
      mode: 'manual',
      sampleRate: 0.2,
    });
  });

  it('an open circuit escalates a manual brownout to an automatic pause, and the brownout returns when it closes', () => {
    const escalated = run([{ type: 'brownout', sampleRate: 0.4 }, circuitOpen]);
    expect(escalated).toMatchObject({ state: 'paused', mode: 'auto', manual: { state: 'brownout', sampleRate: 0.4 } });
    expect(transition(escalated, circuitOpen, T).cause).toBe('steady');
    const closed = transition(escalated, calm, T);
    expect(closed.cause).toBe('circuit-closed');
    expect(closed.status).toMatchObject({ state: 'brownout', mode: 'manual', sampleRate: 0.4 });
  });

  it('an automatic pause becomes manual (sticky) when an operator pauses too', () => {
    const paused = run([circuitOpen, { type: 'pause' }, calm, calm]);
    expect(paused).toMatchObject({ state: 'paused', mode: 'manual' });
  });

  it('resume starts over even while the circuit is open; the next signals re-pause', () => {
    const resumed = run([circuitOpen, { type: 'pause' }, { type: 'resume' }]);
    expect(resumed.state).toBe('normal');
    expect(run([circuitOpen], resumed)).toMatchObject({ state: 'paused', mode: 'auto' });
  });

  it('rejects a sample rate outside [0, 1]', () => {
    expect(() => nextState('normal', { type: 'brownout', sampleRate: 2 }, T)).toThrow(RangeError);
    expect(() => nextState('normal', { type: 'brownout', sampleRate: Number.NaN }, T)).toThrow(RangeError);
  });

  it('rejects an unknown event or state from untyped callers', () => {
    expect(() => nextState('normal', { type: 'explode' } as unknown as BackpressureEvent, T)).toThrow(TypeError);
    expect(() => nextState('bogus' as never, calm, T)).toThrow(TypeError);
  });
});

describe('transition: automatic states', () => {
  it('circuit open → paused (auto) → leaves by itself through throttled when it closes', () => {
    const paused = run([circuitOpen]);
    expect(paused).toMatchObject({ state: 'paused', mode: 'auto' });
    expect(run([calm], paused).state).toBe('throttled');
    expect(run([calm, calm], paused).state).toBe('normal');
  });

  it('brownout (auto) defers at the configured sample rate and steps down one level per event', () => {
    const brownout = run([verySlow]);
    expect(brownout).toMatchObject({ state: 'brownout', mode: 'auto', sampleRate: T.brownoutSampleRate });
    expect(run([calm], brownout)).toMatchObject({ state: 'throttled', sampleRate: 0 });
    expect(run([calm, calm], brownout).state).toBe('normal');
  });
});

describe('nextState with a bare state', () => {
  it('reads drain, paused and brownout as manual (sticky), normal and throttled as automatic', () => {
    expect(statusFromState('paused', T)).toMatchObject({ mode: 'manual' });
    expect(nextState('paused', calm, T)).toBe('paused');
    expect(nextState('drain', calm, T)).toBe('drain');
    expect(nextState('brownout', calm, T)).toBe('brownout');
    expect(nextState('brownout', circuitOpen, T)).toBe('paused');
    expect(nextState('throttled', calm, T)).toBe('normal');
    expect(nextState('normal', slow, T)).toBe('throttled');
    expect(nextState('paused', { type: 'resume' }, T)).toBe('normal');
  });
});

describe('composeStatus', () => {
  it('derives state, mode and sample rate from the override and the automatic state', () => {
    expect(composeStatus(null, 'brownout', T)).toMatchObject({ state: 'brownout', mode: 'auto', sampleRate: T.brownoutSampleRate });
    expect(composeStatus({ state: 'drain' }, 'paused', T)).toMatchObject({ state: 'drain', mode: 'manual', sampleRate: 0 });
    expect(composeStatus({ state: 'brownout', sampleRate: 0.1 }, 'throttled', T)).toMatchObject({ state: 'brownout', mode: 'manual', sampleRate: 0.1 });
  });
});
