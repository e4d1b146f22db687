// Automatic redrive and the loop guard on the real stack: an app whose sink never recovers
// (a real kafka-runtime app failing every record with CONNECTION_ERROR) dead-letters each record,
// the redriver sends it back on its delay tiers, the runtime dead-letters it again carrying
// x-mesh-redrive-id, and after DLQ_MAX_REDRIVES the letter is quarantined, not redriven forever.
// Then dlqtriage lists, releases and archives the quarantine; and main.ts picks up a DLQ topic
// created after it started.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseEnv, runtimeEnvShape, startMeshApp } from '@ingest-mesh/kafka-runtime';
import { ConnectionError } from '@ingest-mesh/reason-codes';
import { waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, RedriverRun } from './test-support/redriver-run.js';

describe('automatic redrive and the loop guard', () => {
  const r = new RedriverRun();
  const failingApp = `test-dlq-fail-${r.run}`;
  const failingDlq = `dlq.${failingApp}`;
  const ids = ['x1', 'x2', 'x3'];
  let handled = 0;

  beforeAll(async () => {
    r.addTopics(failingDlq);
    r.addGroupPrefix(`mesh.${failingApp}`);
    await r.start();
    const env = parseEnv(runtimeEnvShape, { ...process.env, ...r.vars({ MESH_RETRY_MAX_ATTEMPTS: '1', MESH_RETRY_BASE_MS: '10', MESH_RETRY_CAP_MS: '20' }) });
    // A sink that never comes back: every record fails, retryable.
    await startMeshApp({
      app: failingApp,
      topics: [r.originTopic],
      env,
      handler: {
        describe: (rec) => ({ tenant: rec.message.key!.toString().split(':')[0]! }),
        handle: async (records) => {
          handled += records.length;
          return records.map(() => ({ status: 'failed', error: new ConnectionError('connect ECONNREFUSED 127.0.0.1:6543') }));
        },
      },
    }).then((app) => r.track(app));
    await r.startRedriver({ DLQ_AUTO_REDRIVE: 'true', DLQ_REDRIVE_TIERS: '300ms,600ms', DLQ_MAX_REDRIVES: '2' }, [failingDlq]);
  }, 120_000);
  afterAll(() => r.stop(), 120_000);

  it('redrives on the tiers, links each new letter to the one before, and quarantines after the last redrive', async () => {
    await r.producer.send({ topic: r.originTopic, messages: ids.map((id) => ({ key: `${r.tenantA}:customer:${id}`, value: JSON.stringify({ id }) })) });
    const rows = await waitFor(
      'each record quarantined after 2 redrives',
      async () => {
        const all = await r.rows();
        return all.filter((x) => x['status'] === 'quarantined').length === 3 ? all : undefined;
      },
      60_000,
    );
    // Let a few scheduler rounds pass: nothing more is sent.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await r.rows()).toHaveLength(9);
    // On the origin topic: the 3 records, then 2 redrives of each.
    expect(r.origin).toHaveLength(9);
    expect(handled).toBeGreaterThanOrEqual(9);
    for (const id of ids) {
      const chain = rows
        .filter((x) => (x['record_key'] as Buffer).toString() === `${r.tenantA}:customer:${id}`)
        .sort((a, b) => Number(a['redrive_attempt']) - Number(b['redrive_attempt']));
      expect(chain.map((x) => [x['redrive_attempt'], x['status'], x['attempts']])).toEqual([
        [0, 'redriven', 1],
        [1, 'redriven', 2],
        [2, 'quarantined', 3],
      ]);
      expect(chain[1]!['previous_id']).toBe(chain[0]!['id']);
      expect(chain[2]!['previous_id']).toBe(chain[1]!['id']);
      expect(chain[1]!['redrive_id']).toBe(chain[0]!['sent_redrive_id']);
      expect(chain[2]!['status_note']).toBe('failed again after 2 redrive(s) (limit 2)');
      expect(new Set(chain.map((x) => `${x['origin_topic']}:${x['origin_partition']}:${x['origin_offset']}`)).size).toBe(1);
    }
    expect(r.events.some((e) => e.type === 'dlq.quarantined')).toBe(true);
  });

  it('dlqtriage lists, releases and archives the quarantine', async () => {
    const list = await r.cli(['quarantine', 'list', '--json']);
    expect(list.code).toBe(0);
    const quarantined = JSON.parse(list.stdout) as { id: string; status_note: string }[];
    expect(quarantined).toHaveLength(3);
    const release = await r.cli(['quarantine', 'release', '--id', quarantined[0]!.id, '--wait', '--json']);
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({ status: 'done', succeeded: 1 });
    const archive = await r.cli(['quarantine', 'archive', '--tenant', r.tenantA, '--wait']);
    expect(archive.code).toBe(0);
    expect(archive.stdout).toMatch(/2 letter\(s\) archived/);
    const released = await r.rows('id = $1', [quarantined[0]!.id]);
    expect(released[0]).toMatchObject({ status: 'new', next_redrive_at: null, status_note: 'quarantine_release by int-test' });
    // A released letter waits for a person's redrive: the scheduler does not pick it up.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await r.rows('id = $1', [quarantined[0]!.id]))[0]!['status']).toBe('new');
    expect((await r.rows(`status = 'archived'`)).length).toBe(2);
  });

  it('main.ts stores letters of a DLQ topic created after it started', async () => {
    const late = `dlq.test-dlq-late-${r.run}`;
    r.addTopics(late);
    const group = `${r.group}-main`;
    const child = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO_ROOT, 'apps/dlq-redriver/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...r.vars({
          DLQ_TOPIC_PATTERN: `^dlq\\.test-dlq-late-${r.run}$`,
          DLQ_TOPIC_REFRESH_MS: '1000',
          MESH_INSTANCE_ID: group,
          DLQ_GROUP_ID: group,
          LOG_LEVEL: 'info',
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    r.trackChild(child);
    await waitFor('main.ts started', async () => (r.events.some((e) => e.type === 'app.started' && e.instance === group) ? true : undefined), 60_000);
    await r.admin.createTopics({ topics: [{ topic: late, numPartitions: 1, replicationFactor: -1 }], waitForLeaders: true });
    await r.deadLetters(r.tenantB, ['late-1'], { topic: late, firstOffset: 500 });
    const row = await waitFor(`the letter of ${late} stored (output: ${output.slice(-500)})`, async () => (await r.rows('dlq_topic = $1', [late]))[0], 60_000);
    expect(row).toMatchObject({ tenant: r.tenantB, origin_offset: '500', status: 'new' });
    // It subscribed to the new topic: the consumer restarted alone, the app itself started once.
    expect(output).toMatch(/new DLQ topics: subscribing to them/);
    expect(output).toMatch(/the consumer restarts, the rest of the app stays up/);
    expect(r.events.filter((e) => e.type === 'app.started' && e.instance === group)).toHaveLength(1);
  });
});
