// Applies a signed command once even if it is published (or delivered) again. An id is
// remembered until its command can no longer pass verifyCommand (expiresAt + skew), so
// memory is bounded by the validity window and, hard, by maxEntries.
import type { ControlCommand } from './command.js';
import { DEFAULT_MAX_SKEW_MS } from './signature.js';

export interface ReplayGuardOptions {
  /** Hard cap on remembered ids; default 10 000. */
  maxEntries?: number;
  /** Must be at least the maxSkewMs given to verifyCommand; default the same default. */
  maxSkewMs?: number;
  now?: () => number;
}

export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly maxSkewMs: number;
  private readonly now: () => number;

  constructor(opts: ReplayGuardOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError('ReplayGuard maxEntries must be a positive integer');
    this.maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.now = opts.now ?? Date.now;
  }

  /**
   * True the first time a command id is seen (and remembers it), false for a replay.
   * Call it only after verifyCommand succeeded, so forged ids cannot crowd out real ones.
   */
  admit(cmd: Pick<ControlCommand, 'id' | 'expiresAt'>): boolean {
    const now = this.now();
    const forgetAt = this.seen.get(cmd.id);
    if (forgetAt !== undefined && forgetAt >= now) return false;
    if (forgetAt !== undefined) this.seen.delete(cmd.id);
    if (this.seen.size >= this.maxEntries) this.makeRoom(now);
    this.seen.set(cmd.id, cmd.expiresAt + this.maxSkewMs);
    return true;
  }

  has(id: string): boolean {
    const forgetAt = this.seen.get(id);
    return forgetAt !== undefined && forgetAt >= this.now();
  }

  get size(): number {
    return this.seen.size;
  }

  // Drops ids whose commands have expired; if all are still valid, the oldest admitted goes
  // (a flood of validly signed commands needs the secret, and then replay is the lesser worry).
  private makeRoom(now: number): void {
    for (const [id, forgetAt] of this.seen) {
      if (forgetAt < now) this.seen.delete(id);
    }
    while (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (oldest.done === true) break;
      this.seen.delete(oldest.value);
    }
  }
}
