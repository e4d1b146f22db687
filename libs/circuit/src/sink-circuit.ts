// One circuit breaker per downstream (a sink, a registry...). Every call goes through the same
// opossum breaker, whose action just runs the thunk it is given, so all calls share its state.
// Only infrastructure failures count towards opening it; data errors pass through untouched.
import { CircuitOpenError, SinkTimeoutError } from '@ingest-mesh/reason-codes';
import CircuitBreaker from 'opossum';
import { isInfrastructureFailure } from './infrastructure-failure.js';
import { Listeners } from './listeners.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitStateChange {
  name: string;
  from: CircuitState;
  to: CircuitState;
  at: Date;
}

export interface SinkCircuitOptions {
  /** The downstream's name, e.g. 'postgres'; used in errors and state changes. */
  name: string;
  /** How long the circuit stays open before one probe call is let through; default 30 000. */
  resetTimeoutMs?: number;
  /** Per-call timeout (then SinkTimeoutError and the call's signal aborts); default false: the sink times out itself. */
  timeoutMs?: number | false;
  /** Infrastructure failures, in percent of the calls in the rolling window, above which it opens; default 50. */
  errorThresholdPercentage?: number;
  /** Calls in the rolling window before it may open at all; default 5. */
  volumeThreshold?: number;
  /** Length of the rolling window of counts; default 10 000. */
  rollingCountTimeoutMs?: number;
  /** Which errors count as failures of the downstream; default: CONNECTION_ERROR or SINK_TIMEOUT. */
  isInfrastructureFailure?: (err: unknown) => boolean;
  onStateChange?: (change: CircuitStateChange) => void;
  /** Where a throwing hook is reported; default process.emitWarning. A hook never breaks a call. */
  onHookError?: (err: unknown) => void;
}

export interface CircuitStats {
  /** Calls that failed with an infrastructure failure (counted by the breaker). */
  failures: number;
  /** Calls that resolved. */
  successes: number;
  /** Calls refused without running because the circuit was open (or shut down). */
  rejects: number;
  /** Calls that hit timeoutMs (also counted in failures). */
  timeouts: number;
  /** Calls that failed with a data error (passed through, not counted against the downstream). */
  dataErrors: number;
}

/** The work to protect; `signal` aborts when timeoutMs elapses. */
export type CircuitCall<T> = (signal: AbortSignal) => Promise<T>;

type Thunk = CircuitCall<unknown>;

const DEFAULTS = {
  resetTimeoutMs: 30_000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  rollingCountTimeoutMs: 10_000,
} as const;

export class SinkCircuit {
  readonly name: string;
  private readonly breaker: CircuitBreaker<[Thunk], unknown>;
  private readonly timeoutMs: number | false;
  private readonly isInfrastructureFailure: (err: unknown) => boolean;
  private readonly onStateChange: ((change: CircuitStateChange) => void) | undefined;
  private readonly onHookError: (err: unknown) => void;
  private readonly listeners = {
    closed: new Listeners<[]>(),
    open: new Listeners<[]>(),
    'half-open': new Listeners<[]>(),
  } satisfies Record<CircuitState, Listeners<[]>>;
  private readonly counts: CircuitStats = { failures: 0, successes: 0, rejects: 0, timeouts: 0, dataErrors: 0 };
  private current: CircuitState = 'closed';

  constructor(opts: SinkCircuitOptions) {
    this.name = opts.name;
    this.timeoutMs = opts.timeoutMs ?? false;
    this.isInfrastructureFailure = opts.isInfrastructureFailure ?? isInfrastructureFailure;
    this.onStateChange = opts.onStateChange;
    this.onHookError = opts.onHookError ?? ((err) => process.emitWarning(`circuit ${this.name}: a state hook threw: ${String(err)}`));
    this.breaker = new CircuitBreaker<[Thunk], unknown>((thunk) => this.run(thunk), {
      name: opts.name,
      // Timeouts are ours (run()), so each call gets its own AbortSignal.
      timeout: false,
      resetTimeout: opts.resetTimeoutMs ?? DEFAULTS.resetTimeoutMs,
      errorThresholdPercentage: opts.errorThresholdPercentage ?? DEFAULTS.errorThresholdPercentage,
      volumeThreshold: opts.volumeThreshold ?? DEFAULTS.volumeThreshold,
      rollingCountTimeout: opts.rollingCountTimeoutMs ?? DEFAULTS.rollingCountTimeoutMs,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // opossum: true = "do not count this error". We count only infrastructure failures.
      errorFilter: (err: unknown) => !this.countsAsFailure(err),
    } as CircuitBreaker.Options<[Thunk]>);
    this.breaker.on('open', () => this.transition('open'));
    this.breaker.on('halfOpen', () => this.transition('half-open'));
    this.breaker.on('close', () => this.transition('closed'));
  }

  /**
   * Runs `fn` through the breaker. Open (or half-open with its probe already out): rejects at
   * once with CircuitOpenError (CIRCUIT_OPEN, retryable) without calling `fn`. Otherwise resolves
   * or rejects exactly as `fn` does (timeoutMs: SinkTimeoutError).
   */
  async fire<T>(fn: CircuitCall<T>): Promise<T> {
    try {
      const result = (await this.breaker.fire(fn)) as T;
      this.counts.successes += 1;
      return result;
    } catch (err) {
      if (CircuitBreaker.isOurError(err as Error)) {
        this.counts.rejects += 1;
        const why = this.breaker.isShutdown ? 'is shut down' : `is ${this.state}`;
        throw new CircuitOpenError(`circuit ${this.name} ${why}; call refused`, { cause: err });
      }
      throw err;
    }
  }

  get state(): CircuitState {
    if (this.breaker.isShutdown) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return this.breaker.opened ? 'open' : 'closed';
  }

  get isShutdown(): boolean {
    return this.breaker.isShutdown;
  }

  onOpen(cb: () => void): () => void {
    return this.listeners.open.add(cb);
  }

  onClose(cb: () => void): () => void {
    return this.listeners.closed.add(cb);
  }

  onHalfOpen(cb: () => void): () => void {
    return this.listeners['half-open'].add(cb);
  }

  /** Counts since construction (not the breaker's rolling window). */
  stats(): CircuitStats {
    return { ...this.counts };
  }

  /** Opens the circuit by hand (e.g. an operator knows the sink is down); the reset timer applies. */
  open(): void {
    this.breaker.open();
  }

  /** Closes the circuit by hand. */
  close(): void {
    this.breaker.close();
  }

  /** Stops the breaker's timers; every later call is refused with CircuitOpenError. */
  shutdown(): void {
    if (this.breaker.isShutdown) return;
    this.breaker.shutdown();
    for (const list of Object.values(this.listeners)) list.clear();
  }

  private countsAsFailure(err: unknown): boolean {
    let infrastructure: boolean;
    try {
      infrastructure = this.isInfrastructureFailure(err);
    } catch (predicateErr) {
      // A broken predicate must not hang the call (opossum would never settle it); count the
      // failure, the conservative choice for a downstream we cannot judge.
      this.onHookError(predicateErr);
      infrastructure = true;
    }
    if (infrastructure) this.counts.failures += 1;
    else this.counts.dataErrors += 1;
    return infrastructure;
  }

  private async run(thunk: Thunk): Promise<unknown> {
    const controller = new AbortController();
    if (this.timeoutMs === false) return thunk(controller.signal);
    const ms = this.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.counts.timeouts += 1;
        const err = new SinkTimeoutError(`circuit ${this.name}: call timed out after ${ms} ms`);
        controller.abort(err);
        reject(err);
      }, ms);
    });
    try {
      return await Promise.race([thunk(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    const report = (err: unknown) => this.onHookError(err);
    if (this.onStateChange) {
      try {
        this.onStateChange({ name: this.name, from, to, at: new Date() });
      } catch (err) {
        report(err);
      }
    }
    this.listeners[to].emit([], report);
  }
}
