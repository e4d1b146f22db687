// The automatic side: every DLQ_SCHEDULER_INTERVAL_MS, each instance claims letters whose delay
// tier has passed (and rows a crashed instance left `redriving` past DLQ_CLAIM_TIMEOUT_MS) and
// sends them back. Claims use SKIP LOCKED, so N instances share the work without sending a row twice.
import type { Logger } from '@ingest-mesh/telemetry';
import type { RedriveSender } from './redrive-sender.js';

export interface AutoRedriverOptions {
  sender: RedriveSender;
  /** false: only rows stuck in `redriving` are finished; nothing new is redriven automatically. */
  enabled: boolean;
  batch: number;
  intervalMs: number;
  claimTimeoutMs: number;
  /** When a produce to an origin topic fails, the letter is tried again after this. */
  retryAfterMs: number;
  logger: Logger;
  onRedriven(summary: { redriven: number; failed: number; recovered: boolean }): void;
}

export class AutoRedriver {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: AutoRedriverOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.opts.logger.warn({ err }, 'automatic redrive round failed; trying again next interval'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Sends everything due now, batch by batch; returns when nothing is due. */
  async runOnce(): Promise<void> {
    const { sender, batch, claimTimeoutMs } = this.opts;
    const stale = `status = 'redriving' AND claimed_at < now() - make_interval(secs => $1::int / 1000.0)`;
    const due = this.opts.enabled ? `(status = 'new' AND next_redrive_at <= now()) OR (${stale})` : stale;
    for (;;) {
      if (this.stopped) return;
      const rows = await sender.claim(due, [claimTimeoutMs], batch, null, 'next_redrive_at NULLS FIRST, id');
      if (rows.length === 0) return;
      const result = await sender.send(rows, this.opts.retryAfterMs);
      const failed = result.failed.reduce((n, f) => n + f.ids.length, 0);
      for (const f of result.failed) this.opts.logger.warn({ topic: f.topic, letters: f.ids.length, error: f.error }, 'automatic redrive could not produce');
      this.opts.onRedriven({ redriven: result.sent.length, failed, recovered: !this.opts.enabled });
      if (rows.length < batch || failed > 0) return;
    }
  }
}
