// Route overrides on the real Kafka: what is on the topic before start is applied before start()
// resolves; later records apply live; tombstones remove; invalid records are skipped.
import { randomUUID } from 'node:crypto';
import { stackEndpoints, waitFor } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type KafkaLogger, type Producer } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteOverridesListener, ensureRoutesTopic } from './route-overrides.js';
import { parseRouterConfig } from './router-config.js';
import { RouteTable } from './routes.js';

const run = randomUUID().slice(0, 8);
const topic = `test.mesh.routes.${run}`;
const emptyTopic = `test.mesh.routes.empty.${run}`;
const brokers = stackEndpoints().KAFKA_BROKERS.split(',');
const kafka = createKafkaClient({ clientId: `routes-int-${run}`, brokers });
const config = parseRouterConfig({
  tenants: { acme: {}, globex: {} },
  entityTypes: { customer: { sinks: ['postgres', 'search'] }, order: { sinks: ['postgres'] } },
});

const warnings: string[] = [];
const logger: KafkaLogger = { debug: () => {}, info: () => {}, warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj)}`), error: () => {} };
const listeners: RouteOverridesListener[] = [];
let admin: Admin;
let producer: Producer;

const send = (key: string, value: unknown) =>
  producer.send({ topic, acks: -1, messages: [{ key, value: value === null ? null : typeof value === 'string' ? value : JSON.stringify(value) }] });

function listen(table: RouteTable, t = topic): RouteOverridesListener {
  const listener = new RouteOverridesListener({ kafka, table, logger, topic: t, groupIdPrefix: `routes-int-${run}` });
  listeners.push(listener);
  return listener;
}

/** How long until `probe` holds (waitFor of @ingest-mesh/testing, polling every 50 ms). */
async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  await waitFor(what, () => (probe() ? true : undefined), timeoutMs, 50);
  return Date.now() - start;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  for (const l of listeners) await l.stop();
  await producer?.disconnect();
  const existing = new Set(await admin.listTopics());
  const mine = [topic, emptyTopic].filter((t) => existing.has(t));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin?.disconnect();
});

describe('ensureRoutesTopic', () => {
  it('creates a compacted single-partition topic once', async () => {
    expect(await ensureRoutesTopic(admin, topic)).toBe(true);
    expect(await ensureRoutesTopic(admin, topic)).toBe(false);
    const described = await admin.describeTopicConfigs([topic], ['cleanup.policy']);
    expect(described.get(topic)?.['cleanup.policy']).toBe('compact');
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(1);
  });
});

describe('RouteOverridesListener', () => {
  const table = new RouteTable(config);

  it('applies every override on the topic before start() resolves, skipping invalid records', async () => {
    await send('acme:order', { sinks: ['search'] });
    await send('*:customer', { sinks: ['postgres'], priority: 'high' });
    await send('globex:order', { sinks: ['search'] });
    await send('globex:order', null); // set, then removed: gone after start
    await send('not a key', { sinks: ['search'] });
    await send('acme:customer', '{broken json');
    await send('acme:invoice', { sinks: ['postgres'] }); // last record: start must wait for it

    const listener = listen(table);
    await listener.start();

    expect(table.overrides()).toEqual({
      '*:customer': { sinks: ['postgres'], priority: 'high' },
      'acme:invoice': { sinks: ['postgres'] },
      'acme:order': { sinks: ['search'] },
    });
    expect(table.resolve('acme', 'order')?.topics).toEqual(['sink.search']);
    expect(table.resolve('globex', 'order')?.topics).toEqual(['sink.postgres']);
    expect(table.resolve('globex', 'customer')).toEqual({ sinks: ['postgres'], topics: ['sink.postgres'], priority: 'high' });
    expect(listener.status()).toMatchObject({ topic, caughtUp: true, applied: 5, rejected: 2 });
    expect(warnings.filter((w) => w.startsWith('route overrides: skipped an invalid record'))).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/not a key/);
    expect(warnings.join('\n')).toMatch(/value is not JSON/);
  });

  it('applies a change published after start within a few seconds (hot change)', async () => {
    await send('acme:order', { sinks: ['postgres', 'search'], priority: 'low' });
    const tookMs = await until('the new acme:order route', () => table.resolve('acme', 'order')?.sinks.length === 2);
    expect(tookMs).toBeLessThan(5_000);
    expect(table.resolve('acme', 'order')).toEqual({ sinks: ['postgres', 'search'], topics: ['sink.postgres', 'sink.search'], priority: 'low' });
  });

  it('removes an override on a tombstone', async () => {
    await send('acme:order', null);
    await until('acme:order to fall back to the config', () => table.overrides()['acme:order'] === undefined);
    expect(table.resolve('acme', 'order')).toEqual({ sinks: ['postgres'], topics: ['sink.postgres'] });
  });

  it('gives a restarted router the same overrides (fresh group, from the beginning)', async () => {
    const fresh = new RouteTable(config);
    await listen(fresh).start();
    expect(fresh.overrides()).toEqual(table.overrides());
    expect(fresh.overrides()['acme:order']).toBeUndefined();
  });

  it('starts at once on an empty topic, creating it, and still hears later records', async () => {
    const empty = new RouteTable(config);
    const listener = listen(empty, emptyTopic);
    const started = Date.now();
    await listener.start();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(empty.overrides()).toEqual({});
    await producer.send({ topic: emptyTopic, acks: -1, messages: [{ key: 'globex:customer', value: JSON.stringify({ sinks: ['search'] }) }] });
    await until('globex:customer on the empty topic', () => empty.resolve('globex', 'customer')?.sinks[0] === 'search', 30_000);
  });
});
