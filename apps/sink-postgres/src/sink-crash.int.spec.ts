// SIGKILL of sink-postgres (main.ts as its own process) while it writes a few thousand records:
// restarted, it finishes, and every key's row is at its latest revision (rows are unique by key,
// so nothing can be doubled; all keys present, so nothing was lost), the consumer group's
// committed offsets reach the end of the topic, and the redelivered records did not go to the DLQ.
import { waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkPgRun } from './test-support/sink-pg-run.js';

const KEYS = 1000;
const REVISIONS = 4;

describe('sink-postgres killed with SIGKILL mid-batch', () => {
  const r = new SinkPgRun({ label: 'crash', dlqTopics: ['dlq.sink-postgres'] });

  beforeAll(() => r.start(), 180_000);
  afterAll(() => r.stop(), 120_000);

  const rows = async () =>
    (
      await r.db.pool.query<{ id: string; revision: string; name: string; deleted: boolean }>(
        'SELECT id, revision, name, deleted FROM customers WHERE tenant = $1',
        [r.tenant],
      )
    ).rows;
  const atLatest = async () =>
    Number((await r.db.pool.query('SELECT count(*) AS n FROM customers WHERE tenant = $1 AND revision = $2', [r.tenant, REVISIONS])).rows[0].n);

  it('loses nothing and doubles nothing after a restart', async () => {
    const ids = Array.from({ length: KEYS }, (_, n) => `k${n}`);
    const messages = [];
    for (let revision = 1; revision <= REVISIONS; revision++)
      for (const id of ids) messages.push({ key: r.key('customer', id), value: await r.customerRecord(id, revision) });
    await r.send(messages);

    // Small rounds and one partition at a time, so the kill lands while batches are being written.
    const vars = { MESH_BATCH_MAX_RECORDS: '40', MESH_PARTITIONS_CONCURRENCY: '1', MESH_FETCH_MAX_BYTES_PER_PARTITION: '65536' };
    const first = r.spawnSink(vars);
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    await waitFor('the first rows', async () => ((await rows()).length > 0 ? true : undefined), 90_000, 20).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output.join('')}`);
    });
    first.kill('SIGKILL');
    await exited;
    const atKill = await atLatest();
    // The kill has to have interrupted the work, or this test proves nothing.
    expect(atKill).toBeLessThan(KEYS);
    expect(await r.committedToEnd()).toBe(false);

    const second = r.spawnSink(vars);
    await waitFor('every key at its latest revision', async () => ((await atLatest()) === KEYS ? true : undefined), 120_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n${second.output.join('')}`);
    });
    await waitFor('offsets committed to the end', async () => ((await r.committedToEnd()) ? true : undefined), 60_000);

    const final = await rows();
    expect(final).toHaveLength(KEYS);
    expect(new Set(final.map((row) => row.id))).toEqual(new Set(ids));
    for (const row of final) expect(row).toEqual({ id: row.id, revision: String(REVISIONS), name: `Customer ${row.id} r${REVISIONS}`, deleted: false });
    // Redelivered records were absorbed by the revision guard (equal revision or superseded), not dead-lettered.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.letters).toEqual([]);
  });
});
