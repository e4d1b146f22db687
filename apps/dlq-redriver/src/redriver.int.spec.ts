// The DLQ store and the command side on the real stack: letters written by the runtime's
// DlqPublisher are stored once (redelivered and duplicate letters collapse), dlqtriage (a child
// process) dry-runs, redrives and purges through signed commands executed once by two redriver
// instances, tenant B is never touched by tenant A's commands, and forged or unsigned commands
// are rejected and reported.
import { randomUUID } from 'node:crypto';
import { ControlCodec, newCommand, signCommand } from '@ingest-mesh/control';
import { headerString } from '@ingest-mesh/kafka-runtime';
import { ValidationError } from '@ingest-mesh/reason-codes';
import { waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedriverRun } from './test-support/redriver-run.js';

describe('dlq-redriver store and commands', () => {
  const r = new RedriverRun();
  const idsA = Array.from({ length: 12 }, (_, n) => `a${n}`);
  const idsB = Array.from({ length: 5 }, (_, n) => `b${n}`);

  beforeAll(async () => {
    await r.start();
    await r.startRedriver({ DLQ_MAX_SEND_FAILURES: '2' });
    await r.startRedriver({ DLQ_MAX_SEND_FAILURES: '2' }); // a second instance: commands must still run once
  }, 120_000);
  afterAll(() => r.stop(), 120_000);

  const count = async (where: string, params: unknown[] = []) => (await r.rows(where, params)).length;

  it('stores every letter once, with the mesh headers as columns', async () => {
    await r.deadLetters(r.tenantA, idsA);
    await r.deadLetters(r.tenantB, idsB, { firstOffset: 100, failure: new ValidationError('email is not an e-mail address') });
    // The at-least-once DLQ: the same failures dead-lettered a second time (crash before the origin commit).
    await r.deadLetters(r.tenantA, idsA.slice(0, 4));
    await waitFor('17 letters stored', async () => ((await count('TRUE')) === 17 ? true : undefined), 30_000);
    // Nothing more arrives: the 4 duplicates collapsed on origin coordinates + redrive attempt.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const rows = await r.rows();
    expect(rows).toHaveLength(17);
    const a0 = rows.find((x) => x['tenant'] === r.tenantA && x['origin_offset'] === '0')!;
    expect(a0).toMatchObject({
      origin_topic: r.originTopic,
      origin_partition: 0,
      app: `test-dlq-${r.run}`,
      reason: 'CONNECTION_ERROR',
      retryable: true,
      attempts: 3,
      redrive_attempt: 0,
      status: 'new',
      error: 'ConnectionError: connect ECONNREFUSED 127.0.0.1:5432',
    });
    expect((a0['record_key'] as Buffer).toString()).toBe(`${r.tenantA}:customer:a0`);
    expect(rows.filter((x) => x['tenant'] === r.tenantB).every((x) => x['reason'] === 'VALIDATION_FAIL' && x['retryable'] === false)).toBe(true);
  });

  it('summary, sample and analyze read the store', async () => {
    const summary = await r.cli(['summary', '--tenant', r.tenantA, '--json']);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout)).toEqual([expect.objectContaining({ app: `test-dlq-${r.run}`, reason: 'CONNECTION_ERROR', new: 12, quarantined: 0 })]);
    const human = await r.cli(['summary']);
    expect(human.stdout).toMatch(/^APP\s+REASON\s+RETRYABLE\s+NEW/);
    const sample = await r.cli(['sample', '--reason', 'VALIDATION_FAIL', '--limit', '2', '--full']);
    expect(sample.code).toBe(0);
    expect(sample.stdout).toContain('email is not an e-mail address');
    expect(sample.stdout).toContain(`${r.tenantB}:customer:b`);
    const analyze = await r.cli(['analyze', '--json']);
    const a = JSON.parse(analyze.stdout) as { errors: { letters: number; error: string }[]; byApp: { new: number }[]; perHour: { letters: number }[] };
    expect(a.errors[0]).toMatchObject({ letters: 12, error: 'ConnectionError: connect ECONNREFUSED N.N.N.N:N' });
    expect(a.byApp[0]!.new).toBe(17);
    expect(a.perHour.reduce((n, h) => n + h.letters, 0)).toBe(17);
  });

  it('a dry run reports what would be redriven and changes nothing', async () => {
    const res = await r.cli(['redrive', '--tenant', r.tenantA, '--dry-run', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'done', dry_run: true, matched: 12, succeeded: 0 });
    expect(await count(`status = 'new'`)).toBe(17);
    expect(r.origin).toEqual([]);
  });

  it('redrives tenant A exactly once (two instances), never tenant B', async () => {
    const res = await r.cli(['redrive', '--tenant', r.tenantA, '--rate', '5', '--wait', '--json']);
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'done', matched: 12, succeeded: 12, failed: 0 });
    await waitFor('12 records back on the origin topic', async () => (r.origin.length >= 12 ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(r.origin).toHaveLength(12);
    expect(new Set(r.origin.map((m) => m.key!.toString()))).toEqual(new Set(idsA.map((id) => `${r.tenantA}:customer:${id}`)));
    for (const m of r.origin) {
      expect(headerString(m.headers, 'x-mesh-redrive-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(headerString(m.headers, 'x-mesh-redrive-attempt')).toBe('1');
      expect(headerString(m.headers, 'traceparent')).toMatch(/^00-a\d+$/);
    }
    expect(await count(`tenant = $1 AND status = 'redriven'`, [r.tenantA])).toBe(12);
    expect(await count(`tenant = $1 AND status = 'new'`, [r.tenantB])).toBe(5);
    const progress = r.events.filter((e) => e.type === 'dlq.job.progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(r.events.filter((e) => e.type === 'dlq.job.finished' && e.data['type'] === 'redrive' && e.data['dryRun'] === false)).toHaveLength(1);
  });

  it('purges only the tenant it names, keeping the facts and dropping the bytes', async () => {
    const res = await r.cli(['purge', '--older-than', '0', '--tenant', r.tenantB, '--wait', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'done', succeeded: 5 });
    const b = await r.rows(`tenant = $1`, [r.tenantB]);
    expect(b.every((x) => x['status'] === 'purged' && x['payload'] === null && x['record_key'] === null && x['reason'] === 'VALIDATION_FAIL')).toBe(true);
    expect(await count(`tenant = $1 AND status = 'redriven' AND payload IS NOT NULL`, [r.tenantA])).toBe(12);
  });

  it('rejects and reports a forged command (exit 4) and an unsigned one; nothing runs', async () => {
    const forged = await r.cli(['redrive', '--tenant', r.tenantB, '--wait', '--timeout', '4'], { MESH_CONTROL_SECRET: `forged-${'x'.repeat(40)}` });
    expect(forged.code).toBe(4);
    expect(forged.stdout).toMatch(/no redriver acknowledged/);
    const codec = new ControlCodec(r.registry);
    const unsigned = { ...newCommand({ type: 'purge', args: { olderThanDays: '0' }, issuedBy: 'mallory' }), signature: '' };
    await r.producer.send({ topic: r.controlTopic, messages: [{ key: '*', value: await codec.encode(unsigned) }] });
    const rejected = await waitFor(
      'both rejections reported',
      async () => {
        const reasons = r.events.filter((e) => e.type === 'control.rejected').map((e) => e.data['reason']);
        return reasons.includes('bad-signature') && reasons.includes('unsigned') ? reasons : undefined;
      },
      30_000,
    );
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    const jobs = await r.pool.query(`SELECT type, dry_run FROM "${r.schema}".jobs ORDER BY created_at`);
    expect(jobs.rows).toEqual([
      { type: 'redrive', dry_run: true },
      { type: 'redrive', dry_run: false },
      { type: 'purge', dry_run: false },
    ]);
  });

  it('a command with bad arguments is rejected by the redriver (exit 4)', async () => {
    const cmd = signCommand(newCommand({ type: 'redrive', args: { limit: 'lots' }, issuedBy: 'int-test', id: randomUUID() }), r.secrets.MESH_CONTROL_SECRET);
    await r.producer.send({ topic: r.controlTopic, messages: [{ key: '*', value: await new ControlCodec(r.registry).encode(cmd) }] });
    const job = await waitFor(
      'the job row',
      async () => (await r.pool.query(`SELECT status, message FROM "${r.schema}".jobs WHERE command_id = $1`, [cmd.id])).rows[0],
      20_000,
    );
    expect(job).toEqual({ status: 'failed', message: 'rejected: args.limit: expected an integer from 1 to 1000000, got "lots"' });
  });

  it('sends again a letter a crashed instance left redriving (the sink revision guard absorbs a copy)', async () => {
    const tenant = `crash-${r.run}`;
    await r.deadLetters(tenant, ['z1'], { firstOffset: 900 });
    const [row] = await waitFor(
      'the letter stored',
      async () => {
        const rows = await r.rows('tenant = $1', [tenant]);
        return rows.length === 1 ? rows : undefined;
      },
      20_000,
    );
    // As if an instance claimed it and died before the produce was acknowledged.
    await r.pool.query(
      `UPDATE "${r.schema}".dead_letters SET status = 'redriving', sent_redrive_id = 'lost', claimed_at = now() - interval '10 minutes' WHERE id = $1`,
      [row!['id']],
    );
    await waitFor('redriven by the recovery', async () => ((await r.rows('id = $1', [row!['id']]))[0]!['status'] === 'redriven' ? true : undefined), 20_000);
    await waitFor('on the origin topic', async () => (r.origin.some((m) => m.key!.toString() === `${tenant}:customer:z1`) ? true : undefined), 20_000);
  });

  it('a job with letters the broker refuses ends with failures (exit 1); they stay new, with the reason', async () => {
    const tenant = `big-${r.run}`;
    // A letter larger than the origin topic takes (1 MiB): the produce is refused.
    await r.pool.query(
      `INSERT INTO "${r.schema}".dead_letters (dlq_topic, dlq_partition, dlq_offset, origin_topic, origin_partition, origin_offset, app, reason, retryable, last_failure_at, tenant, record_key, payload)
       VALUES ('synthetic', 0, 1, $1, 0, 99999, 'test', 'CONNECTION_ERROR', true, now(), $2, 'k', convert_to(repeat('x', 2000000), 'UTF8'))`,
      [r.originTopic, tenant],
    );
    const res = await r.cli(['redrive', '--tenant', tenant, '--wait', '--json']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'failed', matched: 1, succeeded: 0, failed: 1 });
    const [row] = await r.rows('tenant = $1', [tenant]);
    expect(row).toMatchObject({ status: 'new' });
    expect(String(row!['status_note'])).toMatch(new RegExp(`^redrive to ${r.originTopic.replaceAll('.', '\\.')} failed: `));
    // Refused DLQ_MAX_SEND_FAILURES (2 here) times: quarantined, not tried forever.
    expect((await r.cli(['redrive', '--tenant', tenant, '--wait', '--json'])).code).toBe(1);
    const [again] = await r.rows('tenant = $1', [tenant]);
    expect(again).toMatchObject({ status: 'quarantined', send_failures: 2 });
    expect(String(again!['status_note'])).toMatch(/\(2 failed sends: quarantined\)$/);
  });

  it('a job whose instance died is taken over by another instance', async () => {
    const id = randomUUID();
    const tenant = `orphan-${r.run}`;
    await r.deadLetters(tenant, ['o1', 'o2'], { firstOffset: 700 });
    await waitFor('the letters stored', async () => ((await count('tenant = $1', [tenant])) === 2 ? true : undefined), 20_000);
    // As if an instance claimed this purge and died: running, silent for longer than DLQ_CLAIM_TIMEOUT_MS.
    await r.pool.query(
      `INSERT INTO "${r.schema}".jobs (command_id, type, issued_by, issued_at, target_tenant, args, status, claimed_by, heartbeat_at, started_at)
       VALUES ($1, 'purge', 'int-test', now(), $2, '{"olderThanDays":"0"}', 'running', 'dead-instance', now() - interval '10 minutes', now() - interval '10 minutes')`,
      [id, tenant],
    );
    const job = await waitFor(
      'the job finished by a live instance',
      async () => {
        const row = (await r.pool.query(`SELECT status, succeeded, claimed_by FROM "${r.schema}".jobs WHERE command_id = $1`, [id])).rows[0];
        return row?.status === 'done' ? row : undefined;
      },
      20_000,
    );
    expect(job).toMatchObject({ succeeded: 2 });
    expect(job.claimed_by).not.toBe('dead-instance');
    expect(await count(`tenant = $1 AND status = 'purged'`, [tenant])).toBe(2);
  });

  it('exit codes: 2 for usage, 3 when PostgreSQL or Kafka cannot be reached', async () => {
    expect((await r.cli(['redrive', '--reason', 'NOPE'])).code).toBe(2);
    expect((await r.cli(['summary'], { DATABASE_URL: 'postgres://mesh@127.0.0.1:1/mesh' })).code).toBe(3);
    const noKafka = await r.cli(['redrive', '--tenant', r.tenantA], { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(noKafka.code).toBe(3);
    expect(noKafka.stderr).toMatch(/cannot reach Kafka/);
  });
});
