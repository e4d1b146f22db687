import { initialStatus, transition } from './state-machine.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';
import type { BackpressureEvent, BackpressureMode, BackpressureState, BackpressureStatus, RecordPriority, TransitionCause } from './types.js';
import { assertFinitePositive, assertIntegerAtLeast, assertSampleRate } from './validate.js';

export interface BackpressureTransition {
  readonly from: BackpressureState;
  readonly to: BackpressureState;
  readonly cause: TransitionCause;
  readonly mode: BackpressureMode;
  readonly sampleRate: number;
}

export interface BackpressureControllerOptions {
  thresholds?: Partial<Thresholds>;
  /** Share of low-priority records deferred in an automatic brownout; wins over thresholds.brownoutSampleRate. */
  brownoutSampleRate?: number;
  /** Share of normal concurrency / fetch rate used while throttled (0 < f ≤ 1). Default 0.5. */
  throttleFactor?: number;
  /** Uniform in [0, 1); picks which low-priority records a brownout defers. Default Math.random. */
  random?: () => number;
  /** Called after every change of state, mode or sample rate; the new status is already in force. */
  onTransition?: (transition: BackpressureTransition) => void;
}

export const DEFAULT_THROTTLE_FACTOR = 0.5;

/** One app's backpressure: feeds events through the state machine and answers the runtime's questions. */
export class BackpressureController {
  readonly thresholds: Thresholds;
  readonly #throttleFactor: number;
  readonly #random: () => number;
  readonly #onTransition: ((transition: BackpressureTransition) => void) | undefined;
  #status: BackpressureStatus;

  constructor(opts: BackpressureControllerOptions = {}) {
    const overrides = { ...opts.thresholds };
    if (opts.brownoutSampleRate !== undefined) {
      assertSampleRate(opts.brownoutSampleRate);
      overrides.brownoutSampleRate = opts.brownoutSampleRate;
    }
    this.thresholds = resolveThresholds(overrides);
    const factor = opts.throttleFactor ?? DEFAULT_THROTTLE_FACTOR;
    assertFinitePositive('throttleFactor', factor);
    if (factor > 1) throw new RangeError(`throttleFactor must be ≤ 1, got ${factor}`);
    this.#throttleFactor = factor;
    this.#random = opts.random ?? Math.random;
    this.#onTransition = opts.onTransition;
    this.#status = initialStatus(this.thresholds);
  }

  get state(): BackpressureState {
    return this.#status.state;
  }

  get mode(): BackpressureMode {
    return this.#status.mode;
  }

  /** Share of low-priority records deferred right now (0 outside brownout). */
  get sampleRate(): number {
    return this.#status.sampleRate;
  }

  get status(): BackpressureStatus {
    return this.#status;
  }

  /**
   * Share of normal concurrency / fetch rate to use: 0 when not fetching, the throttle factor
   * while the signals call for throttled or brownout (also under a manual brownout), else 1.
   */
  get throttleFactor(): number {
    if (!this.shouldFetch()) return 0;
    const auto = this.#status.auto;
    return auto === 'throttled' || auto === 'brownout' ? this.#throttleFactor : 1;
  }

  apply(event: BackpressureEvent): BackpressureState {
    const before = this.#status;
    const { status, cause } = transition(before, event, this.thresholds);
    this.#status = status;
    const changed = before.state !== status.state || before.mode !== status.mode || before.sampleRate !== status.sampleRate;
    if (changed) {
      this.#onTransition?.({ from: before.state, to: status.state, cause, mode: status.mode, sampleRate: status.sampleRate });
    }
    return status.state;
  }

  /** False exactly in paused and drain. */
  shouldFetch(): boolean {
    return this.#status.state !== 'paused' && this.#status.state !== 'drain';
  }

  /** In brownout, defers a low-priority record with probability sampleRate; never defers high or normal. */
  shouldDefer(priority: RecordPriority): boolean {
    if (this.#status.state !== 'brownout' || priority !== 'low') return false;
    return this.#random() < this.#status.sampleRate;
  }

  /** Splits a batch into records to process now and records to defer; both keep input order. */
  split<T>(records: readonly T[], priorityOf: (record: T) => RecordPriority): { process: T[]; defer: T[] } {
    if (this.#status.state !== 'brownout') return { process: [...records], defer: [] };
    const process: T[] = [];
    const defer: T[] = [];
    for (const record of records) {
      (this.shouldDefer(priorityOf(record)) ? defer : process).push(record);
    }
    return { process, defer };
  }

  /** A concurrency limit scaled by throttleFactor: 0 when not fetching, else at least 1 (for a limit ≥ 1). */
  scaledLimit(limit: number): number {
    assertIntegerAtLeast('limit', limit, 0);
    const factor = this.throttleFactor;
    if (factor === 0 || limit === 0) return 0;
    return Math.max(1, Math.floor(limit * factor));
  }
}
