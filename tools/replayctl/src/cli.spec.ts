import { describe, expect, it } from 'vitest';
import { EXIT, runCli, UsageError, type CliIo } from './cli.js';
import type { SendInput } from './control.js';
import { duration, progressOf } from './progress.js';
import type { PartitionView, PlanView, ReplayReader } from './read.js';

const ID = '0b5c2f9e-6a43-4c1e-9f1a-7d2e8b3c4a51';
const now = new Date('2025-01-01T00:10:00Z');
const plan = (over: Partial<PlanView> = {}): PlanView => ({
  id: ID,
  tenant: 'acme',
  sources: ['ingest.raw'],
  target: null,
  windowFrom: new Date('2025-01-01T00:00Z'),
  windowTo: new Date('2025-01-02T00:00Z'),
  throttle: 100,
  estimate: 2000,
  approval: 'approved',
  approvedBy: 'alice',
  approvedAt: now,
  rfa: 'RFA-1',
  status: 'running',
  message: null,
  createdBy: 'bob',
  createdAt: now,
  owner: 'c-1',
  leaseUntil: now,
  claims: 1,
  claimedAt: new Date(now.getTime() - 10_000),
  claimBaseRead: 0,
  claimBaseProduced: 0,
  startedAt: now,
  finishedAt: null,
  read: 1000,
  produced: 500,
  now,
  ...over,
});
const parts: PartitionView[] = [
  { topic: 'ingest.raw', partition: 0, start: 0, end: 1000, next: 1000, read: 1000, produced: 500 },
  { topic: 'ingest.raw', partition: 1, start: 0, end: 1000, next: 0, read: 0, produced: 0 },
];

function io(outcome: { outcome: 'applied' | 'refused'; refusal?: string }, planRow = plan()): CliIo & { sent: SendInput[]; lines: string[] } {
  const sent: SendInput[] = [];
  const lines: string[] = [];
  const reader = { plan: async () => planRow, partitions: async () => parts, list: async () => [planRow], holds: async () => [] } as unknown as ReplayReader;
  return {
    sent,
    lines,
    reader,
    issuedBy: 'tester',
    sender: () => async (input) => {
      sent.push(input);
      return { commandId: 'c', outcome: { outcome: outcome.outcome, refusal: outcome.refusal ?? null, message: 'because', instance: 'i' } };
    },
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
    waitIntervalMs: 1,
  };
}

describe('replayctl exit codes', () => {
  it('plan sends replay_plan with its own plan id and prints it with the estimate', async () => {
    const x = io({ outcome: 'applied' });
    expect(
      await runCli(['plan', '--tenant', 'acme', '--from', '2025-01-01T00:00Z', '--to', '2025-01-02T00:00Z', '--sources', 'ingest.raw', '--throttle', '100'], x),
    ).toBe(EXIT.ok);
    expect(x.sent[0]).toMatchObject({ type: 'replay_plan', tenant: 'acme', issuedBy: 'tester', args: { sources: 'ingest.raw', throttle: '100' } });
    expect(x.sent[0]!.args['planId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(x.lines.join('\n')).toContain('estimate 2,000 records');
  });

  it.each([
    ['held', EXIT.blocked],
    ['needs-approval', EXIT.blocked],
    ['bad-state', EXIT.failed],
    ['unknown-plan', EXIT.failed],
  ])('a %s refusal exits %i', async (refusal, code) => {
    expect(await runCli(['run', ID], io({ outcome: 'refused', refusal }))).toBe(code);
  });

  it('run --wait follows the run to its end', async () => {
    expect(await runCli(['run', '--plan', ID, '--wait'], io({ outcome: 'applied' }, plan({ status: 'completed' })))).toBe(EXIT.ok);
    expect(await runCli(['run', ID, '--wait'], io({ outcome: 'applied' }, plan({ status: 'cancelled' })))).toBe(EXIT.failed);
    expect(await runCli(['resume', ID, '--wait'], io({ outcome: 'applied' }, plan({ status: 'blocked' })))).toBe(EXIT.blocked);
  });

  it('refuses bad usage', async () => {
    await expect(runCli(['approve', ID], io({ outcome: 'applied' }))).rejects.toThrow(UsageError);
    await expect(runCli(['run', 'not-a-plan'], io({ outcome: 'applied' }))).rejects.toThrow(UsageError);
    await expect(runCli(['frobnicate'], io({ outcome: 'applied' }))).rejects.toThrow(UsageError);
    await expect(runCli(['hold', 'add', '--tenant', 'acme'], io({ outcome: 'applied' }))).rejects.toThrow('--reason');
    expect(await runCli([], io({ outcome: 'applied' }))).toBe(EXIT.usage);
  });

  it('status --json gives progress, rate and ETA', async () => {
    const x = io({ outcome: 'applied' });
    expect(await runCli(['status', ID, '--json'], x)).toBe(EXIT.ok);
    const json = JSON.parse(x.lines[0]!) as { progress: Record<string, unknown>; partitions: unknown[] };
    expect(json.progress).toEqual({ read: 1000, total: 2000, percent: 50, produced: 500, readPerSec: 100, producedPerSec: 50, etaSeconds: 10 });
    expect(json.partitions).toHaveLength(2);
  });
});

describe('progressOf / duration', () => {
  it('has no rate or ETA unless running', () => {
    expect(progressOf(plan({ status: 'paused' }), parts)).toMatchObject({ readPerSec: null, etaSeconds: null, percent: 50 });
  });

  it('prints durations', () => {
    expect([duration(5), duration(125), duration(7260), duration(null)]).toEqual(['5s', '2m 5s', '2h 1m', '?']);
  });
});
