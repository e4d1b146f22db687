import type { Thresholds } from './thresholds.js';
import type { AutoCause, AutoState, BackpressureSignals } from './types.js';

export interface AutoStep {
  readonly auto: AutoState;
  readonly cause: AutoCause;
}

/**
 * The automatic state the signals call for, given the current one. Entry thresholds move up;
 * the lower exit thresholds move down, one level per signals event (brownout → throttled →
 * normal), so a reading hovering at a threshold does not flap.
 */
export function nextAutoState(current: AutoState, signals: BackpressureSignals, t: Thresholds): AutoStep {
  if (signals.circuitOpen) return step(current, 'paused', 'circuit-open');
  const latency = measurement(signals.sinkLatencyMs);
  const ratio = inFlightRatio(signals);
  switch (current) {
    case 'paused':
      // Slow start: a sink whose circuit just closed gets reduced concurrency first.
      return { auto: latency >= t.brownoutLatencyMs ? 'brownout' : 'throttled', cause: 'circuit-closed' };
    case 'normal':
      if (latency >= t.brownoutLatencyMs) return step(current, 'brownout', 'latency-very-high');
      if (ratio >= t.highWater) return step(current, 'throttled', 'in-flight-high');
      if (latency >= t.throttleLatencyMs) return step(current, 'throttled', 'latency-high');
      return step(current, 'normal', 'steady');
    case 'throttled':
      if (latency >= t.brownoutLatencyMs) return step(current, 'brownout', 'latency-very-high');
      if (ratio < t.lowWater && latency < t.throttleExitLatencyMs) return step(current, 'normal', 'load-recovered');
      return step(current, 'throttled', 'steady');
    case 'brownout':
      if (latency < t.brownoutExitLatencyMs) return step(current, 'throttled', 'latency-eased');
      return step(current, 'brownout', 'steady');
  }
}

function step(current: AutoState, next: AutoState, cause: AutoCause): AutoStep {
  return { auto: next, cause: current === next ? 'steady' : cause };
}

/** A missing (NaN) or negative reading counts as no pressure; Infinity counts as pressure. */
function measurement(value: number): number {
  return value > 0 ? value : 0;
}

function inFlightRatio(signals: BackpressureSignals): number {
  const inFlight = measurement(signals.inFlight);
  const max = measurement(signals.maxInFlight);
  if (max === 0) return inFlight > 0 ? Infinity : 0;
  return inFlight / max;
}
