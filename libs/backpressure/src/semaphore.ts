import { assertIntegerAtLeast } from './validate.js';

/** Gives the permit back. Calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  readonly grant: (release: Release) => void;
  readonly detach: () => void;
}

/**
 * A counting semaphore with first-come, first-served waiters. setLimit may shrink the limit
 * below the permits already held: holders keep them, and nobody new gets one until enough are
 * released to bring inFlight under the new limit.
 */
export class Semaphore {
  #limit: number;
  #inFlight = 0;
  readonly #waiters: Waiter[] = [];

  /** limit: permits that may be held at once (0 holds everyone until setLimit raises it). */
  constructor(limit: number) {
    assertIntegerAtLeast('limit', limit, 0);
    this.#limit = limit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Callers queued in acquire(). */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** A permit now, or undefined. Never jumps the queue: fails while anyone is waiting. */
  tryAcquire(): Release | undefined {
    if (this.#waiters.length > 0 || this.#inFlight >= this.#limit) return undefined;
    this.#inFlight += 1;
    return this.#releaser();
  }

  /** Waits for a permit. Rejects with the signal's reason if aborted before one is granted. */
  async acquire(signal?: AbortSignal): Promise<Release> {
    signal?.throwIfAborted();
    const release = this.tryAcquire();
    if (release) return release;
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  setLimit(limit: number): void {
    assertIntegerAtLeast('limit', limit, 0);
    this.#limit = limit;
    this.#grantWaiting();
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      this.#grantWaiting();
    };
  }

  #grantWaiting(): void {
    while (this.#inFlight < this.#limit) {
      const next = this.#waiters.shift();
      if (next === undefined) return;
      next.detach();
      this.#inFlight += 1;
      next.grant(this.#releaser());
    }
  }
}
