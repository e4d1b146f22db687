// A sleep that something else can cut short: the fetch loop waits for a partition to become
// fetchable (a batch done, a resume, a seek, an assignment) or for a back-off to pass.
export class Wakeup {
  private pending: (() => void) | undefined;
  private count = 0;

  /** How many wakes there have been: the loop notes it before a fetch, to tell whether one came meanwhile. */
  get wakes(): number {
    return this.count;
  }

  /**
   * Resolves after `ms`, or at the next wake(), whichever comes first; at once if a wake came since
   * `since` (a value of `wakes`): a wake while nobody sleeps is otherwise not kept.
   */
  sleep(ms: number, since = this.count): Promise<void> {
    if (since !== this.count) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending = done;
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    this.count++;
    this.pending?.();
  }
}
