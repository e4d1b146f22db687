// OpenSearch unavailable mid-stream, on a scratch node of the test's own (the stack's node is
// shared by other tests): the sink's breaker opens and consumption pauses (/health/detailed),
// nothing reaches the DLQ while it is down, and once the node is back every document is there
// exactly once, at the latest revision of its key, with the offsets committed to the end.
import { SinkTestRun } from '@ingest-mesh/sink-kit/testing';
import { freePort, ScratchSearch, waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenSearchBackend } from './opensearch-backend.js';
import { SearchSink } from './search-sink.js';

const RESET_MS = 1500;

describe('sink-search while OpenSearch is down', () => {
  let server: ScratchSearch;
  let backend: OpenSearchBackend;
  let r: SinkTestRun<SearchSink>;

  beforeAll(async () => {
    server = await ScratchSearch.create(await freePort(), await freePort());
    const prefix = `mesh-outage-${Date.now().toString(36)}-`;
    backend = new OpenSearchBackend({ node: server.url, indexPrefix: prefix, refresh: 'false', requestTimeoutMs: 3_000 });
    r = new SinkTestRun({
      label: 'search-outage',
      sink: new SearchSink({ backend, indexPrefix: prefix }),
      circuit: { resetTimeoutMs: RESET_MS, volumeThreshold: 3, errorThresholdPercentage: 50 },
    });
    await r.start();
  }, 240_000);
  afterAll(async () => {
    await r?.stop();
    await server?.destroy();
  }, 120_000);

  const detailed = () =>
    r.detailed() as Promise<{ circuits: { name: string; state: string }[]; backpressure: { state: string }; sink: { health: { ok: boolean } } }>;
  /** id → the stored document's version (= revision) and name, read straight from the engine. */
  const stored = async () => {
    const index = r.sink.indexFor({ tenant: r.tenant, entityType: 'customer' });
    await backend.client.indices.refresh({ index, ignore_unavailable: true });
    const res = await backend.client.search({ index, ignore_unavailable: true, body: { size: 1000, version: true, query: { match_all: {} } } });
    const hits = res.body.hits.hits as { _id: string; _version: number; _source: { name: string } }[];
    return new Map(hits.map((h) => [h._id, { version: h._version, name: h._source.name }]));
  };

  it('pauses without dead-lettering, then indexes everything exactly once', async () => {
    const ids = Array.from({ length: 40 }, (_, n) => `s${n}`);
    const latest = new Map<string, number>();
    const wave = async (revision: number, of: string[] = ids) => {
      await r.send(await Promise.all(of.map(async (id) => ({ key: r.key(id), value: await r.sinkRecord(id, revision) }))));
      for (const id of of) latest.set(id, revision);
    };

    await wave(1);
    await waitFor('the first wave indexed', async () => ((await stored().catch(() => new Map())).size === ids.length ? true : undefined), 60_000);

    // Records keep coming while the engine goes away.
    await wave(2);
    await server.stop();
    await wave(3);
    const opened = await waitFor(
      'the circuit to open',
      async () => {
        const d = await detailed();
        return d.circuits[0]?.state === 'open' ? d : undefined;
      },
      60_000,
    );
    expect(opened.circuits[0]?.name).toBe('search');
    expect(opened.backpressure.state).toBe('paused');
    expect(opened.sink.health.ok).toBe(false);
    await wave(4, ids.slice(0, 10));
    await wave(1, ['new-1', 'new-2']);
    // Down for several reset periods (failed probes), still nothing in the DLQ.
    await new Promise((resolve) => setTimeout(resolve, RESET_MS * 3));
    expect((await detailed()).circuits[0]?.state).not.toBe('closed');
    expect(r.letters).toEqual([]);

    await server.start();
    await waitFor(
      'every document at its latest revision',
      async () => {
        const docs = await stored().catch(() => new Map<string, { version: number }>());
        return [...latest].every(([id, revision]) => docs.get(id)?.version === revision) ? true : undefined;
      },
      120_000,
    );
    await waitFor('the circuit to close', async () => ((await detailed()).circuits[0]?.state === 'closed' ? true : undefined), 30_000);
    await waitFor('offsets committed to the end', async () => ((await r.committedToEnd()) ? true : undefined), 30_000);

    const docs = await stored();
    expect(docs.size).toBe(latest.size);
    for (const [id, revision] of latest) expect(docs.get(id)).toEqual({ version: revision, name: `Customer ${id} r${revision}` });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.letters).toEqual([]);
    const after = await detailed();
    expect(after.backpressure.state).not.toBe('paused');
    expect(after.sink.health.ok).toBe(true);
  });
});
