// Time lag without reading records: remember when each partition's log end passed which offset,
// and read a committed offset's age off that history (the approach of kafka-lag-exporter). It
// works whether or not the consumer is running, which is the point: a stopped sink's lag grows.

interface Sample {
  at: number;
  end: bigint;
}

export class OffsetHistory {
  private readonly samples: Sample[] = [];

  /** maxAgeMs: how far back the history goes (older samples are dropped, one is kept as the floor). */
  constructor(private readonly maxAgeMs: number) {}

  get size(): number {
    return this.samples.length;
  }

  /** Records the log end offset seen at `at` (ms); samples must come in time order. */
  record(at: number, end: bigint): void {
    const last = this.samples.at(-1);
    if (last && at < last.at) return;
    // A log end that did not move adds nothing but replaces the sample: the flat stretch's
    // start is what matters, so keep the first and the latest of a run.
    const before = this.samples.at(-2);
    if (last && before && last.end === end && before.end === end) last.at = at;
    else this.samples.push({ at, end });
    while (this.samples.length > 2 && this.samples[1]!.at < at - this.maxAgeMs) this.samples.shift();
  }

  /**
   * Seconds since the record at `committed` (the next record the group will read) was appended:
   * 0 when the group is at the end; interpolated between the two samples around it; at least
   * the history's span when it is older than the history.
   */
  ageSeconds(committed: bigint, now: number): number {
    const last = this.samples.at(-1);
    if (!last || committed >= last.end) return 0;
    const target = committed + 1n; // the log end once that record was appended
    let prev: Sample | undefined;
    for (const s of this.samples) {
      if (s.end >= target) {
        if (!prev) return Math.max(0, (now - s.at) / 1000);
        const span = Number(s.end - prev.end);
        const part = span <= 0 ? 1 : Number(target - prev.end) / span;
        const appendedAt = prev.at + part * (s.at - prev.at);
        return Math.max(0, (now - appendedAt) / 1000);
      }
      prev = s;
    }
    return 0;
  }
}
