import { describe, expect, it } from 'vitest';
import { nextAutoState } from './auto-state.js';
import { DEFAULT_THRESHOLDS as T } from './thresholds.js';
import type { AutoState, BackpressureSignals } from './types.js';

// Defaults: highWater 0.9, lowWater 0.5, throttle 2000/1000 ms, brownout 8000/4000 ms.
function signals(inFlight: number, sinkLatencyMs: number, circuitOpen = false): BackpressureSignals {
  return { inFlight, maxInFlight: 100, sinkLatencyMs, circuitOpen };
}

describe('nextAutoState', () => {
  it.each<[AutoState, BackpressureSignals, AutoState, string]>([
    // circuit
    ['normal', signals(0, 0, true), 'paused', 'circuit-open'],
    ['throttled', signals(0, 0, true), 'paused', 'circuit-open'],
    ['brownout', signals(0, 0, true), 'paused', 'circuit-open'],
    ['paused', signals(0, 0, true), 'paused', 'steady'],
    ['paused', signals(0, 0), 'throttled', 'circuit-closed'],
    ['paused', signals(0, 9_000), 'brownout', 'circuit-closed'],
    // up from normal
    ['normal', signals(90, 0), 'throttled', 'in-flight-high'],
    ['normal', signals(10, 2_000), 'throttled', 'latency-high'],
    ['normal', signals(10, 8_000), 'brownout', 'latency-very-high'],
    ['normal', signals(89, 1_999), 'normal', 'steady'],
    // throttled: hysteresis band, recovery, escalation
    ['throttled', signals(60, 500), 'throttled', 'steady'],
    ['throttled', signals(10, 1_500), 'throttled', 'steady'],
    ['throttled', signals(49, 999), 'normal', 'load-recovered'],
    ['throttled', signals(95, 8_000), 'brownout', 'latency-very-high'],
    // brownout steps down one level at a time
    ['brownout', signals(0, 4_000), 'brownout', 'steady'],
    ['brownout', signals(0, 3_999), 'throttled', 'latency-eased'],
    ['brownout', signals(0, 0), 'throttled', 'latency-eased'],
  ])('%s + %o → %s (%s)', (from, s, to, cause) => {
    expect(nextAutoState(from, s, T)).toEqual({ auto: to, cause });
  });

  it('reads a missing (NaN) or negative measurement as no pressure, and Infinity as pressure', () => {
    expect(nextAutoState('normal', { inFlight: Number.NaN, maxInFlight: 10, sinkLatencyMs: -1, circuitOpen: false }, T).auto).toBe('normal');
    expect(nextAutoState('normal', signals(0, Infinity), T).auto).toBe('brownout');
  });

  it('treats any in-flight record against a zero capacity as full', () => {
    expect(nextAutoState('normal', { inFlight: 1, maxInFlight: 0, sinkLatencyMs: 0, circuitOpen: false }, T).auto).toBe('throttled');
    expect(nextAutoState('throttled', { inFlight: 0, maxInFlight: 0, sinkLatencyMs: 0, circuitOpen: false }, T).auto).toBe('normal');
  });
});
