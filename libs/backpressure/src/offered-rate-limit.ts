import { assertFinitePositive, assertIntegerAtLeast } from './validate.js';

export interface OfferedRateLimitOptions {
  /** The sustained rate a tenant may offer, in records per second of record time. */
  ratePerSec: number;
  /** The most records it may offer at once: any window of burst / ratePerSec seconds holds at most this many. */
  burst: number;
  /** Bins per window (resolution of the window's edges). Default 4. */
  binsPerWindow?: number;
  /** Bins kept at most; the oldest are forgotten first. Default 4096. */
  maxBins?: number;
}

/**
 * Admits records by the rate they were *offered* at, read from their own timestamps (when
 * they were produced), not by the rate they happen to be consumed at. A consumer catching up
 * after a restart, a rebalance or an outage reads a backlog far faster than it was produced;
 * judged by its timestamps that backlog is within the limit, so catching up is never mistaken
 * for a tenant over its rate. A tenant that really produces faster than its rate is over it
 * however fast or slowly its records are read.
 *
 * The limit is a sliding window: any `window = burst / ratePerSec` seconds of record time hold
 * at most `burst` admitted records, so the sustained rate is `ratePerSec` and the largest
 * instant burst is `burst`. Time is cut into bins of window / binsPerWindow; counts are kept per
 * bin, so records may arrive in any order (partitions read at different positions) and every
 * window that contains a record's bin is checked: order does not change the outcome's bound.
 * Pure arithmetic, no clock and no timers.
 */
export class OfferedRateLimit {
  readonly ratePerSec: number;
  readonly burst: number;
  readonly windowMs: number;
  readonly #binMs: number;
  readonly #binsPerWindow: number;
  readonly #maxBins: number;
  readonly #bins = new Map<number, number>();

  constructor(opts: OfferedRateLimitOptions) {
    assertFinitePositive('ratePerSec', opts.ratePerSec);
    assertFinitePositive('burst', opts.burst);
    this.#binsPerWindow = opts.binsPerWindow ?? 4;
    assertIntegerAtLeast('binsPerWindow', this.#binsPerWindow, 1);
    this.#maxBins = opts.maxBins ?? 4096;
    assertIntegerAtLeast('maxBins', this.#maxBins, this.#binsPerWindow * 2);
    this.ratePerSec = opts.ratePerSec;
    this.burst = opts.burst;
    this.windowMs = (opts.burst / opts.ratePerSec) * 1000;
    this.#binMs = this.windowMs / this.#binsPerWindow;
  }

  /**
   * Admits one record offered at `timestampMs` (epoch ms) if every window containing it is below
   * the burst, and counts it; otherwise counts nothing and returns false. A timestamp that is not
   * a finite number cannot be placed in time and is admitted uncounted.
   */
  tryAdmit(timestampMs: number): boolean {
    if (!Number.isFinite(timestampMs)) return true;
    const bin = Math.floor(timestampMs / this.#binMs);
    const n = this.#binsPerWindow;
    // Counts of bins bin-n+1 … bin+n-1: every window of n bins that contains `bin`.
    const counts: number[] = [];
    for (let b = bin - n + 1; b < bin + n; b++) counts.push(this.#bins.get(b) ?? 0);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += counts[i]!;
    for (let first = 0; ; first++) {
      if (sum + 1 > this.burst) return false;
      if (first === n - 1) break;
      sum += counts[first + n]! - counts[first]!;
    }
    this.#bins.set(bin, (this.#bins.get(bin) ?? 0) + 1);
    if (this.#bins.size > this.#maxBins) this.#forgetOldest();
    return true;
  }

  /** Records admitted in the window of record time that ends at `timestampMs` (for health and tests). */
  admittedInWindowEndingAt(timestampMs: number): number {
    const bin = Math.floor(timestampMs / this.#binMs);
    let sum = 0;
    for (let b = bin - this.#binsPerWindow + 1; b <= bin; b++) sum += this.#bins.get(b) ?? 0;
    return sum;
  }

  // Bins are mostly created in time order, so the Map's first keys are nearly the oldest; a
  // straggler bin from far back is dropped as soon as it is the first.
  #forgetOldest(): void {
    const excess = this.#bins.size - Math.floor(this.#maxBins * 0.75);
    let dropped = 0;
    for (const key of this.#bins.keys()) {
      if (dropped >= excess) break;
      this.#bins.delete(key);
      dropped += 1;
    }
  }
}
