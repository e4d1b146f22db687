// End to end on the real stack: JSON envelopes into the router's raw topic, ingest-router (its own
// process) routing customers to this run's sink topic, sink-search in-process indexing them into
// the stack's OpenSearch: a full-text query finds the latest revision of each customer, a
// tombstone removes its document, and an older revision goes to dlq.<sink app> as OLDER_REVISION.
import { rmSync } from 'node:fs';
import { DLQ_HEADERS, headerString } from '@ingest-mesh/kafka-runtime';
import { SchemaCatalog } from '@ingest-mesh/avro';
import { SinkTestRun } from '@ingest-mesh/sink-kit/testing';
import { freePort, spawnRouter, stackEndpoints, waitFor, type RouterProcess } from '@ingest-mesh/testing';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenSearchBackend } from './opensearch-backend.js';
import { SearchSink } from './search-sink.js';

const { SEARCH_URL, SCHEMA_REGISTRY_URL } = stackEndpoints();
const AT = '2025-03-01T12:00:00.000Z';

describe('ingest.raw → ingest-router → sink-search → a searchable document', () => {
  const sinkName = `t${Math.random().toString(36).slice(2, 10)}-search`;
  const prefix = `it-e2e-${sinkName}-`;
  const backend = new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: prefix, refresh: 'wait_for' });
  // Field types from the registry's Avro schemas (the mapping the app's main.ts sets up).
  const catalog = new SchemaCatalog({ registry: new SchemaRegistry({ host: SCHEMA_REGISTRY_URL }) });
  const r = new SinkTestRun({ label: 'search-e2e', sink: new SearchSink({ backend, indexPrefix: prefix, schemas: catalog }), topic: `sink.${sinkName}` });
  let router: RouterProcess & { output: string[] };
  let routeGroupsBefore = new Set<string>();
  // The router's route-override listener joins a group of its own (ingest-router-routes-<uuid>).
  const routeGroups = async () => (await r.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('ingest-router-routes-'));

  beforeAll(async () => {
    await r.start();
    routeGroupsBefore = new Set(await routeGroups());
    const spawned = await spawnRouter({
      run: r.run,
      config: { tenants: { [r.tenant]: { ratePerSec: 1000, burst: 2000 } }, entityTypes: { customer: { sinks: [sinkName] } } },
      env: r.runtimeVars(),
      port: await freePort(),
    });
    const output: string[] = [];
    spawned.child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    spawned.child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    router = { ...spawned, output };
    r.cleanUp({ topics: router.topics, groups: [router.groupId] });
    await waitFor(
      'the router to be ready',
      async () => ((await fetch(`http://127.0.0.1:${router.port}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined),
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${router.output.join('')}`);
    });
  }, 240_000);

  afterAll(async () => {
    if (router && router.child.exitCode === null) {
      const exited = new Promise((resolve) => router.child.once('exit', resolve));
      router.child.kill('SIGTERM');
      await exited;
    }
    if (r.admin) r.cleanUp({ groups: (await routeGroups()).filter((g) => !routeGroupsBefore.has(g)) });
    // Before r.stop(): stopping the app closes the sink and with it the backend's client.
    await backend.client.indices.delete({ index: `${prefix}*`, ignore_unavailable: true });
    await backend.deleteTemplates();
    await r.stop();
    if (router) rmSync(router.configFile, { force: true });
  }, 120_000);

  const raw = (id: string, revision: number, name: string | null) => ({
    key: `${r.tenant}:customer:${id}`,
    value: JSON.stringify({
      tenant: r.tenant,
      source: 'crm',
      entityType: 'customer',
      id,
      revision,
      occurredAt: AT,
      ...(name === null ? { op: 'delete' } : { payload: { id, name, email: `${id}@example.com`, tier: 'pro', country: 'DE', createdAt: AT } }),
    }),
  });
  const sendRaw = (messages: { key: string; value: string }[]) => r.producer.send({ topic: router.sourceTopic, acks: -1, messages });
  const index = () => r.sink.indexFor({ tenant: r.tenant, entityType: 'customer' });
  type Hit = { _id: string; _version: number; _source: Record<string, unknown> };
  const search = async (text: string): Promise<Hit[]> => {
    const res = await backend.client.search({ index: index(), ignore_unavailable: true, body: { version: true, query: { match: { name: text } } } });
    return res.body.hits.hits as Hit[];
  };
  /** While the index is being created its shard may not answer yet: no hits until it does. */
  const searchSoon = (text: string) => search(text).catch((): Hit[] => []);

  it('finds the latest revision by full text, forgets deleted documents and dead-letters an older revision', async () => {
    await sendRaw([
      raw('c1', 1, 'Ada Lovelace'),
      raw('c1', 2, 'Ada King Lovelace'),
      raw('c2', 1, 'Grace Hopper'),
      raw('c2', 2, null),
      raw('c3', 7, 'Alan Turing'),
    ]);
    const hits = await waitFor(
      'c1 searchable at revision 2, c3 indexed',
      async () => {
        const [ada, alan] = await Promise.all([searchSoon('lovelace'), searchSoon('turing')]);
        return ada[0]?._version === 2 && alan.length === 1 ? ada : undefined;
      },
      90_000,
    );
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      _id: 'c1',
      _version: 2,
      _source: {
        id: 'c1',
        name: 'Ada King Lovelace',
        email: 'c1@example.com',
        '@mesh': { tenant: r.tenant, source: 'crm', entityType: 'customer', id: 'c1', revision: 2 },
      },
    });
    expect(await search('hopper')).toEqual([]);
    // Typed from the Avro schema, not guessed: createdAt (timestamp-millis) is a date, so ISO ranges work.
    const created = await backend.client.search({
      index: index(),
      body: { query: { range: { createdAt: { gte: '2025-03-01T00:00:00Z', lt: '2025-03-02T00:00:00Z' } } } },
    });
    expect((created.body.hits.hits as Hit[]).map((h) => h._id).sort()).toEqual(['c1', 'c3']);

    // A revision older than the stored one (new to the router's dedupe, refused by the engine).
    await sendRaw([raw('c3', 6, 'Alan M. Turing')]);
    const letter = await waitFor('the OLDER_REVISION letter', async () => r.letters.find((m) => m.key?.toString() === `${r.tenant}:customer:c3`), 60_000);
    expect(headerString(letter.headers, DLQ_HEADERS.reason)).toBe('OLDER_REVISION');
    expect(headerString(letter.headers, DLQ_HEADERS.retryable)).toBe('false');
    expect((await search('turing'))[0]).toMatchObject({ _version: 7, _source: { name: 'Alan Turing' } });
    expect(r.letters).toHaveLength(1);
  });
});
