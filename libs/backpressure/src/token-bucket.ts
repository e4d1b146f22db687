import { assertFiniteAtLeast, assertFinitePositive } from './validate.js';

export interface TokenBucketOptions {
  /** Tokens added per second. Must be > 0: to stop all takers, stop calling take(). */
  ratePerSec: number;
  /** Capacity: the most tokens that can be taken at once after a quiet period. */
  burst: number;
  /** Monotonic clock in milliseconds. Default performance.now(); inject one in tests. */
  now?: () => number;
}

// Float arithmetic can leave a bucket a hair short of a whole token after waiting exactly as
// long as msUntilAvailable said; a billionth of a token of slack keeps such waits from
// stretching by an extra millisecond without letting any measurable excess through.
const EPSILON = 1e-9;

interface Waiter {
  readonly n: number;
  readonly resolve: () => void;
  readonly detach: () => void;
}

/**
 * A token bucket: up to `burst` tokens, refilled continuously at `ratePerSec`. Tokens are
 * accounted lazily from the clock on every call, so tryTake/msUntilAvailable/available are
 * pure arithmetic on the injected clock; only take() uses a timer, to wait.
 */
export class TokenBucket {
  #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #lastRefill: number;
  readonly #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: TokenBucketOptions) {
    assertFinitePositive('ratePerSec', opts.ratePerSec);
    assertFinitePositive('burst', opts.burst);
    this.#rate = opts.ratePerSec;
    this.#burst = opts.burst;
    this.#now = opts.now ?? (() => performance.now());
    this.#tokens = opts.burst;
    this.#lastRefill = this.#now();
  }

  /** Tokens available right now (may be fractional). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  get ratePerSec(): number {
    return this.#rate;
  }

  get burst(): number {
    return this.#burst;
  }

  /** Callers queued in take(), waiting for tokens. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes n tokens if they are there now. Does not queue; may go ahead of take() waiters. */
  tryTake(n = 1): boolean {
    assertFiniteAtLeast('n', n, 0);
    this.#refill();
    if (!this.#has(n)) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }

  /**
   * Whole milliseconds until n tokens are there: 0 exactly when tryTake(n) would succeed now,
   * Infinity when n exceeds the burst (it can never succeed).
   */
  msUntilAvailable(n = 1): number {
    assertFiniteAtLeast('n', n, 0);
    this.#refill();
    if (this.#has(n)) return 0;
    if (n - EPSILON > this.#burst) return Infinity;
    return Math.ceil(((n - this.#tokens) * 1000) / this.#rate);
  }

  /**
   * Waits until n tokens can be taken, then takes them. Waiters are served first come, first
   * served, so a large request is not starved by a stream of small ones. Rejects at once with
   * a RangeError when n exceeds the burst, and with the signal's reason when aborted.
   */
  async take(n = 1, signal?: AbortSignal): Promise<void> {
    assertFiniteAtLeast('n', n, 0);
    if (n - EPSILON > this.#burst) {
      throw new RangeError(`cannot take ${n} tokens from a bucket with burst ${this.#burst}`);
    }
    signal?.throwIfAborted();
    if (this.#waiters.length === 0 && this.tryTake(n)) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
        // The head may have changed: the next waiter might be servable now.
        this.#serve();
      };
      const waiter: Waiter = {
        n,
        resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#serve();
    });
  }

  /** Changes the refill rate from now on; tokens earned so far are kept. Wakes waiters. */
  setRate(ratePerSec: number): void {
    assertFinitePositive('ratePerSec', ratePerSec);
    this.#refill();
    this.#rate = ratePerSec;
    this.#serve();
  }

  #has(n: number): boolean {
    return this.#tokens + EPSILON >= n;
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = now - this.#lastRefill;
    // A clock that steps back earns nothing and keeps the old mark, so no time is paid twice.
    if (!(elapsed > 0)) return;
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    this.#lastRefill = now;
  }

  #serve(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (let head = this.#waiters[0]; head !== undefined; head = this.#waiters[0]) {
      if (!this.tryTake(head.n)) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#serve();
        }, this.msUntilAvailable(head.n));
        return;
      }
      this.#waiters.shift();
      head.detach();
      head.resolve();
    }
  }
}
