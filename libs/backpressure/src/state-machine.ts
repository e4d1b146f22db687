import { nextAutoState } from './auto-state.js';
import { assertValidThresholds, type Thresholds } from './thresholds.js';
import type { AutoState, BackpressureEvent, BackpressureState, BackpressureStatus, ManualOverride, TransitionCause } from './types.js';
import { assertSampleRate } from './validate.js';

export interface TransitionResult {
  readonly status: BackpressureStatus;
  readonly cause: TransitionCause;
}

/**
 * The effective status from an operator override and the automatic state:
 * drain and pause always win; a manual brownout gives way only to an automatic pause (an open
 * circuit), and comes back when the circuit closes; with no override the signals decide.
 */
export function composeStatus(manual: ManualOverride | null, auto: AutoState, t: Thresholds): BackpressureStatus {
  if (manual?.state === 'drain' || manual?.state === 'paused') {
    return { state: manual.state, mode: 'manual', sampleRate: 0, manual, auto };
  }
  if (manual?.state === 'brownout' && auto !== 'paused') {
    return { state: 'brownout', mode: 'manual', sampleRate: manual.sampleRate, manual, auto };
  }
  const sampleRate = auto === 'brownout' ? t.brownoutSampleRate : 0;
  return { state: auto, mode: 'auto', sampleRate, manual, auto };
}

export function initialStatus(t: Thresholds): BackpressureStatus {
  return composeStatus(null, 'normal', t);
}

/**
 * Reads a bare state as a status. A bare string cannot say who chose it, so drain, paused and
 * brownout are read as manual: mistaking an operator's pause for an automatic one would let
 * the signals lift it; the opposite mistake only keeps the app stopped until resume.
 */
export function statusFromState(state: BackpressureState, t: Thresholds): BackpressureStatus {
  switch (state) {
    case 'normal':
    case 'throttled':
      return composeStatus(null, state, t);
    case 'brownout':
      return composeStatus({ state, sampleRate: t.brownoutSampleRate }, 'normal', t);
    case 'drain':
    case 'paused':
      return composeStatus({ state }, 'normal', t);
    default:
      throw new TypeError(`unknown backpressure state: ${String(state)}`);
  }
}

/** The pure transition function: the next status and why. See README.md for the table. */
export function transition(current: BackpressureStatus, event: BackpressureEvent, t: Thresholds): TransitionResult {
  assertValidThresholds(t);
  const draining = current.manual?.state === 'drain';
  switch (event.type) {
    case 'resume':
      // Everything starts over; the next signals event re-applies what the sinks call for.
      return { status: composeStatus(null, 'normal', t), cause: 'resume-requested' };
    case 'drain':
      return { status: composeStatus({ state: 'drain' }, current.auto, t), cause: 'drain-requested' };
    case 'pause':
      if (draining) return { status: current, cause: 'ignored-while-draining' };
      return { status: composeStatus({ state: 'paused' }, current.auto, t), cause: 'pause-requested' };
    case 'brownout': {
      assertSampleRate(event.sampleRate);
      if (draining) return { status: current, cause: 'ignored-while-draining' };
      const manual = { state: 'brownout', sampleRate: event.sampleRate } as const;
      return { status: composeStatus(manual, current.auto, t), cause: 'brownout-requested' };
    }
    case 'signals': {
      const { auto, cause } = nextAutoState(current.auto, event, t);
      return { status: composeStatus(current.manual, auto, t), cause };
    }
    default:
      throw new TypeError(`unknown backpressure event: ${JSON.stringify(event)}`);
  }
}

/**
 * The next state. Given a bare state, answers with a bare state (manual reading, see
 * statusFromState); given a status, answers with a status, keeping manual and automatic apart.
 */
export function nextState(current: BackpressureState, event: BackpressureEvent, t: Thresholds): BackpressureState;
export function nextState(current: BackpressureStatus, event: BackpressureEvent, t: Thresholds): BackpressureStatus;
export function nextState(current: BackpressureState | BackpressureStatus, event: BackpressureEvent, t: Thresholds): BackpressureState | BackpressureStatus {
  if (typeof current === 'string') return transition(statusFromState(current, t), event, t).status.state;
  return transition(current, event, t).status;
}
