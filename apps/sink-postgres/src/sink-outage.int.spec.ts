// PostgreSQL unavailable mid-stream, on a scratch server of the test's own (the stack's cannot be
// stopped): the sink's breaker opens and consumption pauses (/health/detailed), nothing reaches
// the DLQ while it is down, and once the server is back every record lands exactly once, at the
// latest revision of its key, with the offsets committed to the end.
import { freePort, ScratchPostgres, waitFor } from '@ingest-mesh/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkPgRun } from './test-support/sink-pg-run.js';

const RESET_MS = 1500;

describe('sink-postgres while PostgreSQL is down', () => {
  const r = new SinkPgRun({ label: 'outage' });
  let server: ScratchPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await ScratchPostgres.create(await freePort());
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    pool.on('error', () => undefined);
    await r.start();
  }, 180_000);
  afterAll(async () => {
    await r.stop();
    await pool?.end().catch(() => undefined);
    await server?.destroy();
  }, 120_000);

  const detailed = async (app: { httpPort: number }) =>
    (await (await fetch(`http://127.0.0.1:${app.httpPort}/health/detailed`)).json()) as {
      circuits: { name: string; state: string }[];
      backpressure: { state: string };
      sink: { health: { ok: boolean } };
    };
  const revisions = async () => {
    const res = await pool.query<{ id: string; revision: string; name: string }>(
      `SELECT id, revision, name FROM "${r.schema}".customers WHERE tenant = $1 AND NOT deleted`,
      [r.tenant],
    );
    return new Map(res.rows.map((row) => [row.id, row]));
  };

  it('pauses without dead-lettering, then writes everything exactly once', async () => {
    const app = await r.startInProcess({ databaseUrl: server.url, circuit: { resetTimeoutMs: RESET_MS, volumeThreshold: 3, errorThresholdPercentage: 50 } });
    const ids = Array.from({ length: 40 }, (_, n) => `p${n}`);
    const latest = new Map<string, number>();
    const wave = async (revision: number, of: string[] = ids) => {
      await r.send(await Promise.all(of.map(async (id) => ({ key: r.key('customer', id), value: await r.customerRecord(id, revision) }))));
      for (const id of of) latest.set(id, revision);
    };

    await wave(1);
    await waitFor('the first wave written', async () => ((await revisions()).size === ids.length ? true : undefined), 60_000);

    // Records keep coming while the server goes away.
    await wave(2);
    await server.stop();
    await wave(3);
    const opened = await waitFor(
      'the circuit to open',
      async () => {
        const d = await detailed(app);
        return d.circuits[0]?.state === 'open' ? d : undefined;
      },
      60_000,
    );
    expect(opened.circuits[0]?.name).toBe('postgres');
    expect(opened.backpressure.state).toBe('paused');
    expect(opened.sink.health.ok).toBe(false);
    await wave(4, ids.slice(0, 10));
    await wave(1, ['new-1', 'new-2']);
    // Down for several reset periods (failed probes), still nothing in the DLQ.
    await new Promise((resolve) => setTimeout(resolve, RESET_MS * 3));
    expect((await detailed(app)).circuits[0]?.state).not.toBe('closed');
    expect(r.letters).toEqual([]);

    await server.start();
    await waitFor(
      'every key at its latest revision',
      async () => {
        const rows = await revisions().catch(() => new Map());
        return [...latest].every(([id, revision]) => rows.get(id)?.revision === String(revision)) ? true : undefined;
      },
      90_000,
    );
    await waitFor('the circuit to close', async () => ((await detailed(app)).circuits[0]?.state === 'closed' ? true : undefined), 30_000);
    await waitFor('offsets committed to the end', async () => ((await r.committedToEnd()) ? true : undefined), 30_000);

    const rows = await revisions();
    expect(rows.size).toBe(latest.size);
    for (const [id, revision] of latest) expect(rows.get(id)).toEqual({ id, revision: String(revision), name: `Customer ${id} r${revision}` });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.letters).toEqual([]);
    const after = await detailed(app);
    expect(after.backpressure.state).not.toBe('paused');
    expect(after.sink.health.ok).toBe(true);
  });
});
