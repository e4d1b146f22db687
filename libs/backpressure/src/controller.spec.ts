import { describe, expect, it } from 'vitest';
import { BackpressureController, type BackpressureTransition } from './controller.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import type { BackpressureEvent } from './types.js';

const calm: BackpressureEvent = { type: 'signals', inFlight: 0, maxInFlight: 100, sinkLatencyMs: 0, circuitOpen: false };
const busy: BackpressureEvent = { ...calm, inFlight: 95 };
const verySlow: BackpressureEvent = { ...calm, sinkLatencyMs: 10_000 };
const circuitOpen: BackpressureEvent = { ...calm, circuitOpen: true };

function recording(opts: ConstructorParameters<typeof BackpressureController>[0] = {}) {
  const transitions: BackpressureTransition[] = [];
  const controller = new BackpressureController({ ...opts, onTransition: (t) => transitions.push(t) });
  return { controller, transitions };
}

describe('BackpressureController', () => {
  it('starts normal, fetching at full speed, deferring nothing', () => {
    const controller = new BackpressureController();
    expect(controller.state).toBe('normal');
    expect(controller.mode).toBe('auto');
    expect(controller.shouldFetch()).toBe(true);
    expect(controller.throttleFactor).toBe(1);
    expect(controller.sampleRate).toBe(0);
    expect(controller.thresholds).toEqual(DEFAULT_THRESHOLDS);
  });

  it('reports each transition once, with its cause, and stays quiet when nothing changes', () => {
    const { controller, transitions } = recording();
    for (const event of [
      busy,
      busy,
      calm,
      circuitOpen,
      circuitOpen,
      calm,
      calm,
      { type: 'drain' },
      calm,
      { type: 'pause' },
      { type: 'resume' },
    ] as BackpressureEvent[]) {
      controller.apply(event);
    }
    expect(transitions.map(({ from, to, cause, mode }) => `${from}→${to} ${cause} ${mode}`)).toEqual([
      'normal→throttled in-flight-high auto',
      'throttled→normal load-recovered auto',
      'normal→paused circuit-open auto',
      'paused→throttled circuit-closed auto',
      'throttled→normal load-recovered auto',
      'normal→drain drain-requested manual',
      'drain→normal resume-requested auto',
    ]);
  });

  it('reports a change of mode or sample rate even when the state stays', () => {
    const { controller, transitions } = recording();
    controller.apply(circuitOpen);
    controller.apply({ type: 'pause' });
    controller.apply({ type: 'resume' });
    controller.apply({ type: 'brownout', sampleRate: 0.2 });
    controller.apply({ type: 'brownout', sampleRate: 0.7 });
    expect(transitions.slice(1)).toEqual([
      { from: 'paused', to: 'paused', cause: 'pause-requested', mode: 'manual', sampleRate: 0 },
      { from: 'paused', to: 'normal', cause: 'resume-requested', mode: 'auto', sampleRate: 0 },
      { from: 'normal', to: 'brownout', cause: 'brownout-requested', mode: 'manual', sampleRate: 0.2 },
      { from: 'brownout', to: 'brownout', cause: 'brownout-requested', mode: 'manual', sampleRate: 0.7 },
    ]);
  });

  it('throttles to the throttle factor while the signals call for throttled or brownout, even under a manual brownout', () => {
    const controller = new BackpressureController({ throttleFactor: 0.25 });
    controller.apply(busy);
    expect(controller.throttleFactor).toBe(0.25);
    expect(controller.scaledLimit(16)).toBe(4);
    expect(controller.scaledLimit(2)).toBe(1); // never below one while fetching
    controller.apply({ type: 'brownout', sampleRate: 0.5 });
    expect(controller.throttleFactor).toBe(0.25);
    controller.apply(calm);
    expect(controller.throttleFactor).toBe(1);
    controller.apply({ type: 'pause' });
    expect(controller.throttleFactor).toBe(0);
    expect(controller.scaledLimit(16)).toBe(0);
  });

  it('in brownout defers low-priority records with probability sampleRate', () => {
    const draws = [0.1, 0.6, 0.29, 0.3];
    let i = 0;
    const controller = new BackpressureController({ random: () => draws[i++ % draws.length] as number });
    expect(controller.shouldDefer('low')).toBe(false); // normal: never
    controller.apply({ type: 'brownout', sampleRate: 0.3 });
    expect(['low', 'low', 'low', 'low'].map((p) => controller.shouldDefer(p as 'low'))).toEqual([true, false, true, false]);
    expect(controller.shouldDefer('high')).toBe(false);
    expect(controller.shouldDefer('normal')).toBe(false);
  });

  it('split sends deferred low-priority records aside and keeps order', () => {
    const controller = new BackpressureController({ random: () => 0.5 });
    const records = [
      { id: 'a', p: 'low' },
      { id: 'b', p: 'high' },
      { id: 'c', p: 'low' },
      { id: 'd', p: 'normal' },
    ] as const;
    expect(controller.split(records, (r) => r.p)).toEqual({ process: [...records], defer: [] });
    controller.apply({ type: 'brownout', sampleRate: 1 });
    const { process, defer } = controller.split(records, (r) => r.p);
    expect(process.map((r) => r.id)).toEqual(['b', 'd']);
    expect(defer.map((r) => r.id)).toEqual(['a', 'c']);
  });

  it('an automatic brownout uses brownoutSampleRate, which wins over thresholds.brownoutSampleRate', () => {
    const controller = new BackpressureController({ brownoutSampleRate: 0.4, thresholds: { brownoutSampleRate: 0.9 } });
    controller.apply(verySlow);
    expect(controller).toMatchObject({ state: 'brownout', mode: 'auto', sampleRate: 0.4 });
  });

  it('commits the new state before onTransition runs, so a throwing callback cannot leave it half-applied', () => {
    const controller = new BackpressureController({
      onTransition: () => {
        throw new Error('listener bug');
      },
    });
    expect(() => controller.apply({ type: 'pause' })).toThrow('listener bug');
    expect(controller.state).toBe('paused');
  });

  it('rejects bad options', () => {
    expect(() => new BackpressureController({ throttleFactor: 0 })).toThrow(RangeError);
    expect(() => new BackpressureController({ throttleFactor: 1.5 })).toThrow(RangeError);
    expect(() => new BackpressureController({ brownoutSampleRate: -0.1 })).toThrow(RangeError);
    expect(() => new BackpressureController({ thresholds: { lowWater: 2 } })).toThrow(RangeError);
    expect(() => new BackpressureController().scaledLimit(2.5)).toThrow(RangeError);
  });
});
