// Where one assigned partition stands: the next offset to fetch, the batch being handled (at most
// one, so records of a partition are handled strictly in order) and what that batch resolved.
// A seek or losing the partition bumps the epoch: a batch from an older epoch is stale, its
// resolveOffset calls are ignored and its end does not move the cursor.

/** Handed to a batch when it starts; the cursor checks it on resolve and end. */
export interface BatchTicket {
  readonly epoch: number;
  readonly firstOffset: bigint;
}

export class PartitionCursor {
  /** Where the next fetch starts. */
  next: bigint;
  epoch = 0;
  /** A batch of this partition is queued or being handled: it is not fetched meanwhile. */
  busy = false;
  /** Not fetched before this time (ms): the back-off after a failed batch. */
  retryAt = 0;
  failures = 0;
  private resolved: bigint | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    next: bigint,
  ) {
    this.next = next;
  }

  begin(firstOffset: bigint): BatchTicket {
    this.busy = true;
    this.resolved = undefined;
    return { epoch: this.epoch, firstOffset };
  }

  isStale(ticket: BatchTicket): boolean {
    return ticket.epoch !== this.epoch;
  }

  /** The batch handled `offset`: fetching goes on after it. */
  resolve(ticket: BatchTicket, offset: bigint): void {
    if (this.isStale(ticket)) return;
    const after = offset + 1n;
    if (this.resolved === undefined || after > this.resolved) this.resolved = after;
  }

  /** Past the last offset the current batch resolved, if it resolved any. */
  resolvedOffset(ticket: BatchTicket): bigint | undefined {
    return this.isStale(ticket) ? undefined : this.resolved;
  }

  /** The batch is over: the next fetch starts after what it resolved, or again at its first record. */
  end(ticket: BatchTicket): void {
    this.busy = false;
    if (this.isStale(ticket)) return;
    this.next = this.resolved !== undefined && this.resolved > ticket.firstOffset ? this.resolved : ticket.firstOffset;
    this.resolved = undefined;
  }

  /** Fetching continues from `offset`; a batch in progress becomes stale. */
  seek(offset: bigint): void {
    this.epoch++;
    this.next = offset;
    this.resolved = undefined;
    this.retryAt = 0;
    this.failures = 0;
  }

  /** The partition was taken away (or is being reassigned): everything in progress is stale. */
  revoke(): void {
    this.epoch++;
  }
}
