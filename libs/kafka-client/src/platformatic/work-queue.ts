// Runs jobs first come, first served, at most `concurrency` at once (partitionsConsumedConcurrently),
// and tells when all of them are done (a rebalance and stop wait for that).
export class WorkQueue<Job> {
  private readonly queued: Job[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly concurrency: number,
    private readonly work: (job: Job) => Promise<void>,
    /** After each job: the fetch loop may have a partition to fetch again. */
    private readonly onDone: () => void,
  ) {}

  push(job: Job): void {
    this.queued.push(job);
    this.pump();
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queued.length > 0) {
      const job = this.queued.shift()!;
      // work() settles without rejecting (handleBatch catches); the catch only guards the queue.
      const done: Promise<void> = this.work(job)
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(done);
          this.pump();
          this.onDone();
        });
      this.running.add(done);
    }
  }
}
