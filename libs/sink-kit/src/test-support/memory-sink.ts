// For specs only (excluded from the build): an in-memory Sink with a revision guard, the way a
// real sink behaves (older → older-revision, equal → no-op, tombstones kept with their revision),
// and switches to make it fail like a sink whose database is down.
import type { Sink, SinkHealth, SinkOutcome, SinkRecordIn } from '../sink.js';

export interface StoredEntity {
  revision: number;
  op: 'upsert' | 'delete';
  payload: Record<string, unknown> | null;
}

export class MemorySink implements Sink {
  readonly rows = new Map<string, StoredEntity>();
  /** Every applied write, in order: what "written once, in order" is checked against. */
  readonly applied: { key: string; revision: number; op: 'upsert' | 'delete' }[] = [];
  /** Every writeBatch call, with its size. */
  readonly calls: number[] = [];
  /** While set, writeBatch throws what it returns (a sink that cannot reach its store). */
  failWith: (() => Error) | undefined;
  /** Per-record outcome overrides, by record id (e.g. a constraint violation). */
  readonly recordFailures = new Map<string, () => unknown>();
  connects = 0;
  closes = 0;
  private open = false;

  constructor(readonly name = 'memory') {}

  async connect(): Promise<void> {
    this.connects += 1;
    this.open = true;
  }

  async writeBatch(records: readonly SinkRecordIn[], _ctx: { signal: AbortSignal }): Promise<SinkOutcome[]> {
    this.calls.push(records.length);
    if (!this.open) throw new Error('writeBatch before connect');
    if (this.failWith) throw this.failWith();
    return records.map((r) => this.apply(r));
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.closes += 1;
  }

  async health(): Promise<SinkHealth> {
    return { ok: this.open && !this.failWith, details: { rows: this.rows.size } };
  }

  private apply(r: SinkRecordIn): SinkOutcome {
    const failure = this.recordFailures.get(r.id);
    if (failure) return { status: 'failed', error: failure() };
    const current = this.rows.get(r.key);
    if (current && r.revision < current.revision) return { status: 'older-revision', currentRevision: current.revision };
    if (current && r.revision === current.revision) return { status: 'noop', why: 'equal-revision' };
    this.rows.set(r.key, { revision: r.revision, op: r.op, payload: r.payload });
    this.applied.push({ key: r.key, revision: r.revision, op: r.op });
    return { status: 'written' };
  }
}
