import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackpressureController, type BackpressureTransition } from './controller.js';
import { initialStatus, nextState } from './state-machine.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';
import type { BackpressureEvent, BackpressureStatus, RecordPriority } from './types.js';

const signals = fc.record({
  type: fc.constant('signals' as const),
  inFlight: fc.integer({ min: 0, max: 150 }),
  maxInFlight: fc.integer({ min: 0, max: 100 }),
  sinkLatencyMs: fc.oneof(fc.integer({ min: 0, max: 15_000 }), fc.constantFrom(Number.NaN, Infinity, -1)),
  circuitOpen: fc.boolean(),
});

const eventArb: fc.Arbitrary<BackpressureEvent> = fc.oneof(
  { arbitrary: signals, weight: 6 },
  { arbitrary: fc.constant({ type: 'drain' as const }), weight: 1 },
  { arbitrary: fc.constant({ type: 'pause' as const }), weight: 1 },
  { arbitrary: fc.constant({ type: 'resume' as const }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('brownout' as const), sampleRate: fc.double({ min: 0, max: 1, noNaN: true }) }), weight: 1 },
);

/** Valid thresholds: each exit value at or below its entry value, brownout above throttle. */
const thresholdsArb: fc.Arbitrary<Thresholds> = fc
  .record({
    lowWater: fc.double({ min: 0.05, max: 1, noNaN: true }),
    waterGap: fc.double({ min: 0, max: 1, noNaN: true }),
    throttleExitLatencyMs: fc.integer({ min: 1, max: 5_000 }),
    throttleGap: fc.integer({ min: 0, max: 5_000 }),
    brownoutGap: fc.integer({ min: 0, max: 5_000 }),
    brownoutExitShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
    brownoutSampleRate: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((r) => {
    const throttleLatencyMs = r.throttleExitLatencyMs + r.throttleGap;
    const brownoutLatencyMs = throttleLatencyMs + r.brownoutGap;
    return resolveThresholds({
      lowWater: r.lowWater,
      highWater: r.lowWater + r.waterGap,
      throttleExitLatencyMs: r.throttleExitLatencyMs,
      throttleLatencyMs,
      brownoutLatencyMs,
      brownoutExitLatencyMs: Math.max(1, Math.floor(brownoutLatencyMs * r.brownoutExitShare)),
      brownoutSampleRate: r.brownoutSampleRate,
    });
  });

/** Every (before, event, after) step of a run from the initial status. */
function steps(t: Thresholds, events: BackpressureEvent[]) {
  const out: { before: BackpressureStatus; event: BackpressureEvent; after: BackpressureStatus }[] = [];
  let status = initialStatus(t);
  for (const event of events) {
    const after = nextState(status, event, t);
    out.push({ before: status, event, after });
    status = after;
  }
  return out;
}

const run = fc.tuple(thresholdsArb, fc.array(eventArb, { maxLength: 80 }));

describe('state machine properties', () => {
  it('manual states are sticky: signals never change the override, and only an open circuit outranks a manual brownout', () => {
    fc.assert(
      fc.property(run, ([t, events]) => {
        for (const { before, event, after } of steps(t, events)) {
          if (event.type !== 'signals' || before.manual === null) continue;
          expect(after.manual).toEqual(before.manual);
          if (before.manual.state === 'brownout' && event.circuitOpen) {
            expect(after).toMatchObject({ state: 'paused', mode: 'auto' });
          } else {
            expect(after.state).toBe(before.manual.state);
            expect(after.mode).toBe('manual');
          }
        }
      }),
    );
  });

  it('drain is left only by resume', () => {
    fc.assert(
      fc.property(run, ([t, events]) => {
        for (const { before, event, after } of steps(t, events)) {
          if (before.state === 'drain' && event.type !== 'resume') expect(after.state).toBe('drain');
        }
      }),
    );
  });

  it('resume always leads out of drain and paused, into normal with no override', () => {
    fc.assert(
      fc.property(run, ([t, events]) => {
        for (const { event, after } of steps(t, events)) {
          if (event.type === 'resume') expect(after).toMatchObject({ state: 'normal', mode: 'auto', manual: null, auto: 'normal' });
        }
      }),
    );
  });

  it('automatic states never override a manual one; mode says who chose the state', () => {
    fc.assert(
      fc.property(run, ([t, events]) => {
        for (const { after } of steps(t, events)) {
          const escalated = after.manual?.state === 'brownout' && after.auto === 'paused';
          if (after.manual === null || escalated) {
            expect(after.mode).toBe('auto');
            expect(after.state).toBe(after.auto);
          } else {
            expect(after.mode).toBe('manual');
            expect(after.state).toBe(after.manual.state);
          }
          if (after.state === 'drain') expect(after.mode).toBe('manual');
          if (after.state === 'throttled') expect(after.mode).toBe('auto');
        }
      }),
    );
  });

  it('the sample rate is 0 outside brownout and the manual or configured rate in it', () => {
    fc.assert(
      fc.property(run, ([t, events]) => {
        for (const { after } of steps(t, events)) {
          if (after.state !== 'brownout') expect(after.sampleRate).toBe(0);
          else if (after.manual?.state === 'brownout') expect(after.sampleRate).toBe(after.manual.sampleRate);
          else expect(after.sampleRate).toBe(t.brownoutSampleRate);
        }
      }),
    );
  });

  it('commands never touch the automatic state except resume, which resets it', () => {
    fc.assert(
      fc.property(run, ([t, events]) => {
        for (const { before, event, after } of steps(t, events)) {
          if (event.type === 'signals') continue;
          expect(after.auto).toBe(event.type === 'resume' ? 'normal' : before.auto);
        }
      }),
    );
  });

  it('a steady reading settles within two events and then stays (no flapping)', () => {
    fc.assert(
      fc.property(run, signals, ([t, events], reading) => {
        const start = steps(t, events).at(-1)?.after ?? initialStatus(t);
        const once = nextState(start, reading, t);
        const twice = nextState(once, reading, t);
        const thrice = nextState(twice, reading, t);
        expect(thrice).toEqual(twice);
      }),
    );
  });

  it('the bare-state form agrees with the status form when the status has no hidden override', () => {
    fc.assert(
      fc.property(run, eventArb, ([t, events], event) => {
        const status = steps(t, events).at(-1)?.after ?? initialStatus(t);
        // A bare state is read as manual for drain/paused/brownout and automatic otherwise.
        const bareReadsTheSame =
          status.manual === null ? ['normal', 'throttled'].includes(status.state) : status.auto === 'normal' && status.state === status.manual.state;
        fc.pre(bareReadsTheSame);
        const bareT = status.manual?.state === 'brownout' ? { ...t, brownoutSampleRate: status.manual.sampleRate } : t;
        expect(nextState(status.state, event, bareT)).toBe(nextState(status, event, bareT).state);
      }),
    );
  });
});

const priorityArb = fc.constantFrom<RecordPriority>('high', 'normal', 'low');
const controllerRun = fc.record({
  thresholds: thresholdsArb,
  events: fc.array(eventArb, { maxLength: 60 }),
  randoms: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 20 }),
});

/** A controller fed the events, with a cycling stand-in for Math.random and a transition log. */
function driven({ thresholds, events, randoms }: { thresholds: Thresholds; events: BackpressureEvent[]; randoms: number[] }) {
  let i = 0;
  const transitions: BackpressureTransition[] = [];
  const controller = new BackpressureController({
    thresholds,
    random: () => randoms[i++ % randoms.length] as number,
    onTransition: (transition) => transitions.push(transition),
  });
  const states = events.map((event) => controller.apply(event));
  return { controller, transitions, states };
}

describe('BackpressureController properties', () => {
  it('shouldFetch is false exactly in paused and drain; throttleFactor is 0 exactly then', () => {
    fc.assert(
      fc.property(controllerRun, (input) => {
        const { controller } = driven({ ...input, events: [] });
        for (const event of input.events) {
          controller.apply(event);
          const stopped = controller.state === 'paused' || controller.state === 'drain';
          expect(controller.shouldFetch()).toBe(!stopped);
          expect(controller.throttleFactor === 0).toBe(stopped);
          expect(controller.throttleFactor).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('never defers high or normal priority; defers low only in brownout', () => {
    fc.assert(
      fc.property(controllerRun, fc.array(priorityArb, { maxLength: 30 }), (input, priorities) => {
        const { controller } = driven(input);
        for (const priority of priorities) {
          const deferred = controller.shouldDefer(priority);
          if (priority !== 'low' || controller.state !== 'brownout') expect(deferred).toBe(false);
        }
      }),
    );
  });

  it('split conserves the records and keeps their order on both sides', () => {
    fc.assert(
      fc.property(controllerRun, fc.array(priorityArb, { maxLength: 60 }), (input, priorities) => {
        const { controller } = driven(input);
        const records = priorities.map((priority, index) => ({ index, priority }));
        const { process, defer } = controller.split(records, (r) => r.priority);
        const increasing = (xs: { index: number }[]) => xs.every((x, k) => k === 0 || (xs[k - 1] as { index: number }).index < x.index);
        expect(increasing(process)).toBe(true);
        expect(increasing(defer)).toBe(true);
        expect([...process, ...defer].map((r) => r.index).sort((a, b) => a - b)).toEqual(records.map((r) => r.index));
        expect(defer.every((r) => r.priority === 'low')).toBe(true);
        if (controller.state !== 'brownout') expect(defer).toEqual([]);
        if (controller.state === 'brownout' && controller.sampleRate === 1) {
          expect(defer.length).toBe(records.filter((r) => r.priority === 'low').length);
        }
        if (controller.sampleRate === 0) expect(defer).toEqual([]);
      }),
    );
  });

  it('onTransition reports every change, chained: each from is the previous to', () => {
    fc.assert(
      fc.property(controllerRun, (input) => {
        const { transitions, states } = driven(input);
        let previous = 'normal';
        for (const t of transitions) {
          expect(t.from).toBe(previous);
          previous = t.to;
        }
        expect(previous).toBe(states.at(-1) ?? 'normal');
        const stateChanges = states.filter((s, k) => s !== (k === 0 ? 'normal' : states[k - 1])).length;
        expect(transitions.filter((t) => t.from !== t.to).length).toBe(stateChanges);
      }),
    );
  });
});
