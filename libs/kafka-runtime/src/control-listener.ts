// Listens on mesh.control for signed commands. Every instance reads every command (a consumer
// group of its own), verifies the HMAC, drops replays, and applies what targets this app.
import type { Consumer } from '@ingest-mesh/kafka-client';
import { commandAppliesTo, verifyCommand, type CommandScope, type ControlCodec, type ControlCommand, type ReplayGuard } from '@ingest-mesh/control';

export type ControlVerdict =
  | { status: 'applied'; command: ControlCommand }
  | { status: 'ignored'; command: ControlCommand; why: string }
  | { status: 'rejected'; reason: string; message: string; command?: ControlCommand };

export interface ControlListenerOptions {
  consumer: Consumer;
  topic: string;
  codec: ControlCodec;
  secrets: string[];
  app: string;
  /** Command scopes this app acts on (default ['runtime']); the dlq-redriver adds 'dlq', the replay-coordinator 'replay'. */
  handles?: readonly CommandScope[];
  replayGuard: ReplayGuard;
  /** Applies a verified command meant for this app; returns false when the app has no use for it. */
  apply(command: ControlCommand): Promise<boolean>;
  report(verdict: ControlVerdict): void;
  now?: () => Date;
}

export class ControlListener {
  constructor(private readonly opts: ControlListenerOptions) {}

  async start(): Promise<void> {
    await this.opts.consumer.subscribe({ topics: [this.opts.topic], fromBeginning: false });
    await this.opts.consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return this.opts.report({ status: 'rejected', reason: 'malformed', message: 'empty control message' });
        this.opts.report(await this.judge(message.value));
      },
    });
  }

  async judge(bytes: Buffer): Promise<ControlVerdict> {
    let command: ControlCommand;
    try {
      command = await this.opts.codec.decode(bytes);
    } catch (err) {
      return { status: 'rejected', reason: 'malformed', message: `cannot decode control message: ${err instanceof Error ? err.message : String(err)}` };
    }
    const verdict = verifyCommand(command, this.opts.secrets, { now: (this.opts.now ?? (() => new Date()))() });
    if (!verdict.ok) return { status: 'rejected', reason: verdict.reason, message: verdict.message, command };
    if (!commandAppliesTo(command, this.opts.app, this.opts.handles)) return { status: 'ignored', command, why: `targets ${command.target.app}` };
    if (!this.opts.replayGuard.admit(command)) return { status: 'ignored', command, why: 'already applied (replayed message)' };
    const applied = await this.opts.apply(command);
    return applied ? { status: 'applied', command } : { status: 'ignored', command, why: `${this.opts.app} does not act on ${command.type}` };
  }
}
