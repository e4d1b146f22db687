import { assertFiniteAtLeast, assertFinitePositive, assertSampleRate } from './validate.js';

/**
 * When the automatic states engage and release. Ratios are inFlight / maxInFlight. Each
 * "exit" value sits below its entry value so a reading near a threshold does not flap.
 */
export interface Thresholds {
  /** In-flight ratio at or above which the app is throttled. */
  readonly highWater: number;
  /** In-flight ratio below which a throttled app may return to normal. */
  readonly lowWater: number;
  /** Sink latency at or above which the app is throttled. */
  readonly throttleLatencyMs: number;
  /** Sink latency below which a throttled app may return to normal. */
  readonly throttleExitLatencyMs: number;
  /** Sink latency at or above which the app browns out on its own. */
  readonly brownoutLatencyMs: number;
  /** Sink latency below which an automatic brownout steps down to throttled. */
  readonly brownoutExitLatencyMs: number;
  /** Share of low-priority records deferred in an automatic brownout. */
  readonly brownoutSampleRate: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  highWater: 0.9,
  lowWater: 0.5,
  throttleLatencyMs: 2_000,
  throttleExitLatencyMs: 1_000,
  brownoutLatencyMs: 8_000,
  brownoutExitLatencyMs: 4_000,
  brownoutSampleRate: 1,
});

/** Defaults overlaid with the given values (undefined ones ignored), checked and frozen. */
export function resolveThresholds(overrides: Partial<Thresholds> = {}): Thresholds {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const thresholds: Thresholds = Object.freeze({ ...DEFAULT_THRESHOLDS, ...defined });
  assertValidThresholds(thresholds);
  return thresholds;
}

/**
 * Throws a RangeError naming the first bad field. The exit values must be > 0, or a throttled
 * or browned-out app could never recover.
 */
export function assertValidThresholds(t: Thresholds): void {
  assertFinitePositive('highWater', t.highWater);
  assertFinitePositive('lowWater', t.lowWater);
  assertFinitePositive('throttleLatencyMs', t.throttleLatencyMs);
  assertFinitePositive('throttleExitLatencyMs', t.throttleExitLatencyMs);
  assertFinitePositive('brownoutLatencyMs', t.brownoutLatencyMs);
  assertFinitePositive('brownoutExitLatencyMs', t.brownoutExitLatencyMs);
  assertFiniteAtLeast('highWater', t.highWater, t.lowWater);
  assertFiniteAtLeast('throttleLatencyMs', t.throttleLatencyMs, t.throttleExitLatencyMs);
  assertFiniteAtLeast('brownoutLatencyMs', t.brownoutLatencyMs, t.throttleLatencyMs);
  assertFiniteAtLeast('brownoutLatencyMs', t.brownoutLatencyMs, t.brownoutExitLatencyMs);
  assertSampleRate(t.brownoutSampleRate);
}
