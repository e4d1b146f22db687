// Measured figures (printed, not asserted: no timing asserts): how fast a redriver catches up on
// 5,000 letters (batched INSERT per round), and how fast an unthrottled redrive sends them back.
// Run: npx vitest run --config apps/dlq-redriver/vitest.int.config.ts src/throughput.int.spec.ts
import { waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedriverRun } from './test-support/redriver-run.js';

const LETTERS = 5000;

describe('throughput (figures for the README)', () => {
  const r = new RedriverRun();

  beforeAll(async () => {
    await r.start();
    const ids = Array.from({ length: LETTERS }, (_, n) => `t${n}`);
    for (let i = 0; i < ids.length; i += 500) await r.deadLetters(r.tenantA, ids.slice(i, i + 500), { firstOffset: i });
  }, 120_000);
  afterAll(() => r.stop(), 120_000);

  it(`stores ${LETTERS} letters and redrives them unthrottled`, async () => {
    const began = performance.now();
    await r.startRedriver();
    await waitFor(
      `${LETTERS} letters stored`,
      async () => {
        const { rows } = await r.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${r.schema}".dead_letters`).catch(() => ({ rows: [{ n: '0' }] }));
        return Number(rows[0]!.n) === LETTERS ? true : undefined;
      },
      120_000,
      50,
    );
    const storeSeconds = (performance.now() - began) / 1000;

    const res = await r.cli(['redrive', '--tenant', r.tenantA, '--limit', String(LETTERS), '--rate', '0', '--wait', '--json']);
    expect(res.code).toBe(0);
    const job = JSON.parse(res.stdout) as { command_id: string; succeeded: number };
    expect(job.succeeded).toBe(LETTERS);
    const { rows } = await r.pool.query<{ s: number }>(
      `SELECT extract(epoch FROM finished_at - started_at)::float8 AS s FROM "${r.schema}".jobs WHERE command_id = $1`,
      [job.command_id],
    );
    const redriveSeconds = rows[0]!.s;
    await waitFor('all redriven records on the origin topic', async () => (r.origin.length === LETTERS ? true : undefined), 60_000);
    console.log(
      `[dlq-redriver figures] store: ${LETTERS} letters in ${storeSeconds.toFixed(2)} s (${Math.round(LETTERS / storeSeconds)} letters/s, including start-up and group join); ` +
        `unthrottled redrive: ${LETTERS} in ${redriveSeconds.toFixed(2)} s (${Math.round(LETTERS / redriveSeconds)} records/s)`,
    );
  }, 240_000);
});
