// A sleep that something else can cut short: the fetch loop waits for a partition to become
// fetchable (a batch done, a resume, a seek, an assignment) or for a back-off to pass.
export class Wakeup {
  private pending: (() => void) | undefined;

  /** Resolves after `ms`, or at the next wake(), whichever comes first. */
  sleep(ms: number): Promise<void> {
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

  /** Ends the current sleep, if any (a wake while nobody sleeps is not kept: the loop looks again anyway). */
  wake(): void {
    this.pending?.();
  }
}
