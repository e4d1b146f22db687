// Issue 4, item 7 — routing, with the router in-process on the real stack: good JSON records
// become Avro SinkRecords on the sink topics of their route, keyed tenant:entityType:id, with
// the entity's defaults applied and the producer's trace continued; an exact duplicate is
// delivered once; a route override published mid-stream adds a sink without a restart and
// without losing or doubling a record.
import { SINK_RECORD_SUBJECT, unframe } from '@ingest-mesh/avro';
import { parseTraceparent } from '@ingest-mesh/telemetry';
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRouteOverride, formatRouteKey } from './routes.js';
import { customer, decodeSink, envelope, header, newTrace, order, RouterRun, until } from './test-support/router-harness.js';

const r = new RouterRun();

beforeAll(() => r.start(), 180_000);
afterAll(() => r.stop(), 120_000);

const createdAt = Date.parse('2025-03-01T12:00:00Z');
const countOf = (messages: Map<string, KafkaMessage[]>, key: string) => messages.get(key)?.length ?? 0;

describe('ingest-router: good records', () => {
  it('writes one SinkRecord per sink of the route: keyed, Avro of the entity with defaults, trace continued', async () => {
    const id = (n: string) => `${r.run}-good-${n}`;
    const t1 = newTrace();
    const t2 = newTrace();
    const keys = {
      c1: `${r.acme}:customer:${id('c1')}`,
      c2: `${r.acme}:customer:${id('c2')}`,
      c3: `${r.globex}:customer:${id('c3')}`,
      o1: `${r.acme}:order:${id('o1')}`,
    };
    const sentAt = Date.now();
    await r.send([
      // Trace from the record's header.
      {
        key: keys.c1,
        value: envelope({ tenant: r.acme, entityType: 'customer', id: id('c1'), payload: customer(id('c1')) }),
        headers: { traceparent: t1.traceparent, 'x-test-case': 'c1' },
      },
      // Trace from the envelope; revision as a decimal string; epoch-millis time; every optional field given.
      {
        key: keys.c2,
        value: envelope({
          tenant: r.acme,
          entityType: 'customer',
          id: id('c2'),
          revision: '7',
          occurredAt: 1_700_000_000_000,
          priority: 'high',
          traceparent: t2.traceparent,
          payload: customer(id('c2'), { tier: 'pro', country: 'DE' }),
        }),
      },
      // A delete: a tombstone without payload.
      { key: keys.c3, value: envelope({ tenant: r.globex, entityType: 'customer', id: id('c3'), op: 'delete', revision: 2 }) },
      { key: keys.o1, value: envelope({ tenant: r.acme, entityType: 'order', id: id('o1'), payload: order(id('o1')) }) },
    ]);

    const pg = await r.tail.keys(r.pgTopic, Object.values(keys));
    const search = await r.tail.keys(r.searchTopic, [keys.c1, keys.c2, keys.c3]);
    // Exactly these, once each: customers on both sinks, the order on pg only.
    await r.tail.settle(r.pgTopic);
    await r.tail.settle(r.searchTopic);
    const mine = (topic: string) =>
      r.tail
        .on(topic)
        .filter((m) => m.key!.toString().includes(`${r.run}-good-`))
        .map((m) => m.key!.toString())
        .sort();
    expect(mine(r.pgTopic)).toEqual(Object.values(keys).sort());
    expect(mine(r.searchTopic)).toEqual([keys.c1, keys.c2, keys.c3].sort());

    const sinkSchema = await r.catalog.latestForSubject(SINK_RECORD_SUBJECT);
    const customerSchema = await r.catalog.latest('customer');
    const orderSchema = await r.catalog.latest('order');
    for (const key of [keys.c1, keys.c2, keys.c3]) expect(pg.get(key)![0]!.value!.equals(search.get(key)![0]!.value!)).toBe(true);

    const c1 = await decodeSink(r.catalog, pg.get(keys.c1)![0]!);
    expect(c1.schemaId).toBe(sinkSchema.id);
    expect(c1.record).toEqual({
      tenant: r.acme,
      source: 'crm',
      entityType: 'customer',
      id: id('c1'),
      revision: 1,
      occurredAt: Date.parse('2025-03-01T12:00:00.000Z'),
      priority: 'normal',
      op: 'upsert',
      payloadSchemaId: customerSchema.id,
      payload: expect.any(Buffer),
      traceparent: header(pg.get(keys.c1)![0]!, 'traceparent'), // the router's span, as in the header
      routedAt: expect.any(Number),
    });
    expect(c1.record.routedAt).toBeGreaterThanOrEqual(sentAt - 1000);
    expect(c1.record.routedAt).toBeLessThanOrEqual(Date.now());
    expect(unframe(c1.record.payload!)?.schemaId).toBe(customerSchema.id);
    // Defaults of the schema applied: tier free, country null.
    expect(c1.entity).toEqual({ id: id('c1'), name: `Customer ${id('c1')}`, email: `${id('c1')}@example.com`, tier: 'free', country: null, createdAt });
    const c1Trace = parseTraceparent(header(pg.get(keys.c1)![0]!, 'traceparent')!);
    expect(c1Trace?.traceId).toBe(t1.traceId);
    expect(c1Trace?.spanId).not.toBe(parseTraceparent(t1.traceparent)!.spanId); // a span of its own
    expect(header(pg.get(keys.c1)![0]!, 'x-test-case')).toBe('c1'); // the producer's headers are kept

    const c2 = await decodeSink(r.catalog, pg.get(keys.c2)![0]!);
    expect(c2.record).toMatchObject({
      revision: 7,
      occurredAt: 1_700_000_000_000,
      priority: 'high',
      op: 'upsert',
      traceparent: header(pg.get(keys.c2)![0]!, 'traceparent'),
    });
    expect(c2.entity).toEqual({ id: id('c2'), name: `Customer ${id('c2')}`, email: `${id('c2')}@example.com`, tier: 'pro', country: 'DE', createdAt });
    expect(parseTraceparent(header(pg.get(keys.c2)![0]!, 'traceparent')!)?.traceId).toBe(t2.traceId);

    const c3 = await decodeSink(r.catalog, pg.get(keys.c3)![0]!);
    expect(c3.record).toMatchObject({ tenant: r.globex, op: 'delete', revision: 2, payloadSchemaId: null, payload: null });
    expect(c3.entity).toBeNull();

    const o1 = await decodeSink(r.catalog, pg.get(keys.o1)![0]!);
    expect(o1.record).toMatchObject({ entityType: 'order', payloadSchemaId: orderSchema.id });
    expect(o1.entity).toEqual({
      id: id('o1'),
      customerId: `c-${id('o1')}`,
      status: 'placed',
      amountCents: 1299,
      currency: 'EUR',
      items: [{ sku: 'sku-1', qty: 2 }],
    });
  });

  it('delivers an exact duplicate once, in the same batch and later, but a new revision again', async () => {
    const id = `${r.run}-dup-1`;
    const key = `${r.acme}:customer:${id}`;
    const value = envelope({ tenant: r.acme, entityType: 'customer', id, payload: customer(id) });
    await r.send([
      { key, value },
      { key, value },
    ]);
    await r.tail.keys(r.pgTopic, [key]);
    const marker = `${r.acme}:customer:${r.run}-dup-marker`;
    await r.send([
      { key, value },
      { key: marker, value: envelope({ tenant: r.acme, entityType: 'customer', id: `${r.run}-dup-marker`, payload: customer(`${r.run}-dup-marker`) }) },
    ]);
    await r.tail.keys(r.pgTopic, [marker]);
    await r.tail.keys(r.searchTopic, [marker]);
    await r.tail.settle(r.pgTopic);
    await r.tail.settle(r.searchTopic);
    expect(countOf(r.tail.byKey(r.pgTopic), key)).toBe(1);
    expect(countOf(r.tail.byKey(r.searchTopic), key)).toBe(1);

    await r.send([{ key, value: envelope({ tenant: r.acme, entityType: 'customer', id, revision: 2, payload: customer(id, { name: 'Renamed' }) }) }]);
    const both = await until('revision 2 on pg', () => (countOf(r.tail.byKey(r.pgTopic), key) === 2 ? r.tail.byKey(r.pgTopic).get(key)! : undefined));
    expect((await decodeSink(r.catalog, both[1]!)).record.revision).toBe(2);
    expect((await decodeSink(r.catalog, both[1]!)).entity).toMatchObject({ name: 'Renamed' });
  });
});

describe('ingest-router: hot route change', () => {
  it('adds a sink for one tenant and type mid-stream: before on pg only, after on both, none lost or doubled on pg', async () => {
    const item = (batch: string, n: number) => {
      const id = `${r.run}-hot-${batch}${n}`;
      return { key: `${r.acme}:order:${id}`, value: envelope({ tenant: r.acme, entityType: 'order', id, payload: order(id) }) };
    };
    const batch = (name: string, n: number) => Array.from({ length: n }, (_, i) => item(name, i));

    const a = batch('a', 20);
    await r.send(a);
    await r.tail.keys(
      r.pgTopic,
      a.map((m) => m.key),
    );

    // Records keep coming while the override is published and applied.
    let streaming = true;
    const m: ReturnType<typeof item>[] = [];
    const stream = (async () => {
      for (let n = 0; streaming || n < 10; n++) {
        const next = item('m', n);
        m.push(next);
        await r.send([next]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    try {
      const before = await r.detailed();
      expect(before.routes).toMatchObject({ overrides: { caughtUp: true, applied: 0, rejected: 0 }, live: 0 });
      await r.producer.send({
        topic: r.routesTopic,
        acks: -1,
        messages: [{ key: formatRouteKey({ tenant: r.acme, entityType: 'order' }), value: encodeRouteOverride({ sinks: [r.pg, r.search] }) }],
      });
      const applied = await until('the override in /health/detailed', async () => {
        const d = await r.detailed();
        return d.routes.overrides.applied === 1 && d.routes.live === 1 ? d : undefined;
      });
      expect(applied.routes.overrides).toMatchObject({ caughtUp: true, applied: 1, rejected: 0 });
    } finally {
      streaming = false;
      await stream;
    }

    const b = batch('b', 20);
    await r.send(b);
    const all = [...a, ...m, ...b].map((x) => x.key);
    await r.tail.keys(r.pgTopic, all);
    await r.tail.keys(
      r.searchTopic,
      b.map((x) => x.key),
    );
    await r.tail.settle(r.pgTopic);
    await r.tail.settle(r.searchTopic);
    const pg = r.tail.byKey(r.pgTopic);
    const search = r.tail.byKey(r.searchTopic);

    expect(all.filter((k) => countOf(pg, k) !== 1)).toEqual([]); // every record on pg exactly once
    expect(b.filter((x) => countOf(search, x.key) !== 1).map((x) => x.key)).toEqual([]); // after: on search too
    expect(a.filter((x) => countOf(search, x.key) !== 0).map((x) => x.key)).toEqual([]); // before: not on search
    expect(m.filter((x) => countOf(search, x.key) > 1).map((x) => x.key)).toEqual([]); // during: at most once
    for (const x of b) expect(search.get(x.key)![0]!.value!.equals(pg.get(x.key)![0]!.value!)).toBe(true);
    // Another tenant's orders keep the config's route (pg only).
    const other = { id: `${r.run}-hot-initech-o`, key: `${r.initech}:order:${r.run}-hot-initech-o` };
    await r.send([{ key: other.key, value: envelope({ tenant: r.initech, entityType: 'order', id: other.id, payload: order(other.id) }) }]);
    await r.tail.keys(r.pgTopic, [other.key]);
    await r.tail.settle(r.searchTopic);
    expect(countOf(r.tail.byKey(r.searchTopic), other.key)).toBe(0);
  }, 180_000);
});
