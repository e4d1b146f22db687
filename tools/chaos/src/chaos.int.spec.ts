// `npm run chaos -- --short` as CI runs it, once per Kafka adapter (MESH_KAFKA_CLIENT: every app,
// and the chaos tool's own clients, on that adapter): a stack of its own, one kill of
// each app and one outage each of Kafka, PostgreSQL and Redis under load, one tenant offered a
// burst above its shipped rate limit (parked on the router's slow lane, drained later), then the
// reconciliation.
// A failure here means the mesh lost or doubled records: the output names the seed to replay
// (npm run chaos -- --seed N --short), the faults, and the identities affected.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { KAFKA_CLIENT_KINDS } from '@ingest-mesh/kafka-client';
import { REPO_ROOT } from '@ingest-mesh/testing';
import { describe, expect, it } from 'vitest';

interface ChaosSummary {
  ok: boolean;
  seed: number;
  sent: number;
  ids: number;
  applied: number;
  deadLettered: number;
  parked: number;
  waiting: number;
  waitingRecords: number;
  lost: number;
  doubled: number;
  historyGaps: number;
  unexplainedDlq: number;
  rateFindings: number;
}

function runChaos(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO_ROOT, 'tools/chaos/src/main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe.each(KAFKA_CLIENT_KINDS)('chaos --short with MESH_KAFKA_CLIENT=%s', (kind) => {
  it('under kills, outages and a tenant over its rate, every record ends at its latest revision in the table, the history and the index exactly once, or in the DLQ with a reason', async () => {
    const { code, output } = await runChaos(['--short', '--drain', '150'], { MESH_KAFKA_CLIENT: kind });
    const line = output.split('\n').find((l) => l.startsWith('chaos-summary: '));
    expect(line, output).toBeDefined();
    console.log(line); // the seed and the counts, in the test log, for the record
    const summary = JSON.parse(line!.slice('chaos-summary: '.length)) as ChaosSummary;
    expect({ ...summary, output: summary.ok ? '' : output }).toMatchObject({
      ok: true,
      lost: 0,
      doubled: 0,
      historyGaps: 0,
      unexplainedDlq: 0,
      rateFindings: 0,
      output: '',
    });
    expect(summary.applied).toBe(summary.ids);
    // The limit bit (the burst's excess was parked) and the slow lane drained: nothing still waits.
    expect(summary.parked).toBeGreaterThan(0);
    expect({ waiting: summary.waiting, waitingRecords: summary.waitingRecords }).toEqual({ waiting: 0, waitingRecords: 0 });
    // The poison records: each in the DLQ with its reason.
    expect(summary.deadLettered).toBeGreaterThanOrEqual(5);
    expect(code).toBe(0);
  }, 420_000);
});
