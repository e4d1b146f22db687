import type { Priority } from '@ingest-mesh/contracts';

/** Every state, e.g. to set the ingest_backpressure_state gauge to 0 for all but the current one. */
export const BACKPRESSURE_STATES = ['normal', 'throttled', 'brownout', 'drain', 'paused'] as const;

/** The effective state the runtime acts on. */
export type BackpressureState = (typeof BACKPRESSURE_STATES)[number];

/** Who chose the effective state: an operator (sticky until resume) or the signals. */
export type BackpressureMode = 'manual' | 'auto';

/** What the signals alone call for; tracked even while an operator's override is in force. */
export type AutoState = 'normal' | 'throttled' | 'brownout' | 'paused';

/** An operator's standing command (admin endpoint or control command), kept until resume. */
export type ManualOverride = { readonly state: 'drain' } | { readonly state: 'paused' } | { readonly state: 'brownout'; readonly sampleRate: number };

/** What the runtime measures, reported as a 'signals' event. */
export interface BackpressureSignals {
  /** Records fetched and not yet finished (buffered or being written). */
  inFlight: number;
  /** The configured, unthrottled capacity for in-flight records. */
  maxInFlight: number;
  /** Recent sink write latency (e.g. p95 or a moving average over the last batches). */
  sinkLatencyMs: number;
  /** The sink's circuit breaker is open (or half-open and not yet proven). */
  circuitOpen: boolean;
}

export type BackpressureEvent =
  { type: 'drain' } | { type: 'resume' } | { type: 'pause' } | { type: 'brownout'; sampleRate: number } | ({ type: 'signals' } & BackpressureSignals);

/** Everything the state machine knows; `state`, `mode` and `sampleRate` follow from `manual` and `auto`. */
export interface BackpressureStatus {
  readonly state: BackpressureState;
  readonly mode: BackpressureMode;
  /** Share of low-priority records deferred (0 … 1); 0 in every state but brownout. */
  readonly sampleRate: number;
  readonly manual: ManualOverride | null;
  readonly auto: AutoState;
}

export const AUTO_CAUSES = [
  'circuit-open',
  'circuit-closed',
  'in-flight-high',
  'latency-high',
  'latency-very-high',
  'latency-eased',
  'load-recovered',
  'steady',
] as const;

/** Why the signals moved (or kept) the automatic state. */
export type AutoCause = (typeof AUTO_CAUSES)[number];

export const TRANSITION_CAUSES = [
  'drain-requested',
  'pause-requested',
  'brownout-requested',
  'resume-requested',
  'ignored-while-draining',
  ...AUTO_CAUSES,
] as const;

/** Why an event led where it did; a bounded set, safe as a metric or log label. */
export type TransitionCause = (typeof TRANSITION_CAUSES)[number];

/** A record's priority: the Priority enum of the mesh's Avro contracts. */
export type RecordPriority = Priority;
