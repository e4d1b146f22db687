export { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
export { OfferedRateLimit, type OfferedRateLimitOptions } from './offered-rate-limit.js';
export { Semaphore, type Release } from './semaphore.js';
export { DEFAULT_THRESHOLDS, resolveThresholds, assertValidThresholds, type Thresholds } from './thresholds.js';
export { nextAutoState, type AutoStep } from './auto-state.js';
export { nextState, transition, composeStatus, initialStatus, statusFromState, type TransitionResult } from './state-machine.js';
export { BackpressureController, DEFAULT_THROTTLE_FACTOR, type BackpressureControllerOptions, type BackpressureTransition } from './controller.js';
export { AUTO_CAUSES, BACKPRESSURE_STATES, TRANSITION_CAUSES } from './types.js';
export type {
  AutoCause,
  AutoState,
  BackpressureEvent,
  BackpressureMode,
  BackpressureSignals,
  BackpressureState,
  BackpressureStatus,
  ManualOverride,
  RecordPriority,
  TransitionCause,
} from './types.js';
