// The router's slow lane, end to end on the real stack with the shipped tenant limits
// (apps/ingest-router/config/router.yaml): ingest-router and sink-postgres as processes of their
// own, JSON envelopes produced to the raw topic at a paced rate, rows read from PostgreSQL.
// - A tenant offered below its rate parks nothing, even across a SIGKILL and restart of both apps.
// - A tenant offered at five times its rate has the excess parked and drained by the router
//   itself, every key ending at its latest revision with no dead letter, while a tenant sharing
//   its partitions at half its rate never waits.
// - Records parked by an older router (no lane headers) are drained after the upgrade.
import { rmSync } from 'node:fs';
import { DLQ_HEADERS, headerString } from '@ingest-mesh/kafka-runtime';
import { freePort, readShippedLimits, spawnRouter, stopChild, waitFor, type RouterProcess, type TenantLimits as Limits } from '@ingest-mesh/testing';
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkPgRun } from './test-support/sink-pg-run.js';

const AT = '2025-03-01T12:00:00.000Z';
const ROUTER_DLQ = 'dlq.ingest-router';

describe('the slow lane: over-rate means later, never stranded', () => {
  const sinkName = `t${Math.random().toString(36).slice(2, 10)}-pg`;
  const r = new SinkPgRun({ label: 'lane', topic: `sink.${sinkName}` });
  const slow = `globex-${r.run}`; // the second tenant, sharing the raw topic's partitions
  let shipped: { acme: Limits; globex: Limits };
  let router: RouterProcess & { child: { output?: string[] } };
  let sink: ReturnType<SinkPgRun['spawnSink']>;
  const routerLetters: KafkaMessage[] = [];
  const configFiles: string[] = [];
  const routerUrl = () => `http://127.0.0.1:${router.port}`;

  const startRouter = async () => {
    router = await spawnRouter({
      run: r.run,
      config: {
        tenants: { [r.tenant]: shipped.acme, [slow]: shipped.globex },
        entityTypes: { customer: { sinks: [sinkName] } },
      },
      env: { ...r.runtimeVars(), ROUTER_LANE_SAMPLE_MS: '500' },
      port: await freePort(),
    });
    configFiles.push(router.configFile);
    r.track(router.child);
    await waitFor(
      'the router to be ready',
      async () => ((await fetch(`${routerUrl()}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined),
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${(router.child.output ?? []).join('')}`);
    });
  };

  beforeAll(async () => {
    const limits = new Map((await readShippedLimits()).map((t) => [t.from, { ratePerSec: t.ratePerSec, burst: t.burst }]));
    shipped = { acme: limits.get('acme')!, globex: limits.get('globex')! };
    await r.start();
    const deferredTopic = `test.ingest.deferred.${r.run}`;
    await r.admin.createTopics({ topics: [{ topic: deferredTopic, numPartitions: 3, replicationFactor: -1 }], waitForLeaders: true });
    // What today's router parked before the upgrade: original bytes, a reason header, no lane headers.
    await r.producer.send({
      topic: deferredTopic,
      acks: -1,
      messages: [raw(r.tenant, 'legacy-1', 1), raw(r.tenant, 'legacy-2', 4), raw(r.tenant, 'legacy-3', 1)].map((m) => ({
        ...m,
        headers: { 'x-mesh-deferred-reason': 'tenant-rate', 'x-mesh-deferred-by': 'ingest-router' },
      })),
    });
    // legacy-3 reached the sink at a newer revision while its revision 1 waited: that one is superseded.
    await r.send([{ key: r.key('customer', 'legacy-3'), value: await r.customerRecord('legacy-3', 2) }]);
    const dlq = r.kafka.consumer({ groupId: `sink-pg-int-${r.run}-router-dlq`, maxWaitTimeInMs: 200 });
    await r.admin.createTopics({ topics: [{ topic: ROUTER_DLQ, numPartitions: 3, replicationFactor: -1 }], waitForLeaders: true }).catch(() => undefined);
    await dlq.connect();
    await dlq.subscribe({ topics: [ROUTER_DLQ], fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        if (headerString(message.headers, DLQ_HEADERS.originTopic)?.endsWith(r.run)) routerLetters.push(message);
      },
    });
    stopDlq = () => dlq.disconnect();
    await startRouter();
    r.cleanUp({ topics: router.topics });
    r.addGroupPrefix(router.groupId);
    sink = r.spawnSink();
  }, 240_000);

  let stopDlq: () => Promise<void> = async () => undefined;

  afterAll(async () => {
    await stopDlq();
    await r.stop();
    for (const f of configFiles) rmSync(f, { force: true });
  }, 120_000);

  function raw(tenant: string, id: string, revision: number) {
    const payload = { id, name: `Customer ${id} r${revision}`, email: `${id}@example.com`, tier: 'pro', country: 'DE', createdAt: AT };
    return { key: `${tenant}:customer:${id}`, value: JSON.stringify({ tenant, source: 'crm', entityType: 'customer', id, revision, occurredAt: AT, payload }) };
  }

  /** Sends in ticks of 50 ms so that the records' timestamps are spread at `perSec`. */
  async function produceAt(messages: { key: string; value: string }[], perSec: number): Promise<void> {
    const started = Date.now();
    let sent = 0;
    while (sent < messages.length) {
      const due = Math.min(messages.length, Math.floor(((Date.now() - started + 50) * perSec) / 1000));
      if (due > sent) await r.producer.send({ topic: router.sourceTopic, acks: -1, messages: messages.slice(sent, due) });
      sent = Math.max(sent, due);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** ids × revisions, revisions of a key in order (all ids at revision 1, then 2, …). */
  const stream = (tenant: string, prefix: string, ids: number, revisions: number) =>
    Array.from({ length: revisions }, (_, rev) => Array.from({ length: ids }, (_, i) => raw(tenant, `${prefix}-${i}`, rev + 1))).flat();

  async function revisions(tenant: string, prefix: string): Promise<Map<string, number>> {
    const { rows } = await r.db.pool.query<{ id: string; revision: string }>(`SELECT id, revision FROM customers WHERE tenant = $1 AND id LIKE $2`, [
      tenant,
      `${prefix}-%`,
    ]);
    return new Map(rows.map((row) => [row.id, Number(row.revision)]));
  }

  async function atLatest(tenant: string, prefix: string, ids: number, latest: number): Promise<number> {
    return [...(await revisions(tenant, prefix)).values()].filter((rev) => rev === latest).length;
  }

  async function deferredOf(tenant: string): Promise<number> {
    const res = await fetch(`${routerUrl()}/health/detailed`);
    const body = (await res.json()) as { deferred: { tenants: Record<string, { waiting: number }> } };
    return body.deferred.tenants[tenant]?.waiting ?? 0;
  }

  async function parkedOnTopic(): Promise<number> {
    const offsets = await r.admin.fetchTopicOffsets(router.topics[1]!);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  }

  it('drains records parked by an older router after the upgrade; a superseded one is skipped, not dead-lettered', async () => {
    await waitFor(
      'the legacy records in PostgreSQL',
      async () => {
        const got = await revisions(r.tenant, 'legacy');
        return got.get('legacy-1') === 1 && got.get('legacy-2') === 4 && got.get('legacy-3') === 2 ? got : undefined;
      },
      60_000,
    );
    // The router drained its slow lane to the end (so legacy-3's revision 1 reached the sink topic) …
    await waitFor(
      'the router to drain the legacy records',
      async () => ((await r.committedToEnd(router.groupId, router.topics[1]!)) ? true : undefined),
      60_000,
    );
    // … and the sink handled all of it; a letter would be published before that commit.
    await waitFor('the sink to commit its topic', async () => ((await r.committedToEnd()) ? true : undefined), 30_000);
    await new Promise((res) => setTimeout(res, 2000)); // the DLQ readers poll every 200 ms
    expect((await revisions(r.tenant, 'legacy')).get('legacy-3')).toBe(2);
    expect(r.letters).toEqual([]);
    expect(routerLetters).toEqual([]);
  });

  it('parks nothing for a tenant at 60 % of its rate when the router and the sink are SIGKILLed mid-stream, and every id ends at its latest revision within 60 s', async () => {
    const ids = 1000;
    const rate = Math.floor(shipped.acme.ratePerSec * 0.6);
    const before = await parkedOnTopic();
    const producing = produceAt(stream(r.tenant, 'restart', ids, 3), rate);
    await new Promise((res) => setTimeout(res, 3500));
    await stopChild(router.child, { graceMs: 0, signal: 'SIGKILL' });
    await startRouter();
    await new Promise((res) => setTimeout(res, 1500));
    await stopChild(sink, { graceMs: 0, signal: 'SIGKILL' });
    sink = r.spawnSink();
    await producing;
    const producedAt = Date.now();
    await waitFor(`all ${ids} ids at revision 3`, async () => ((await atLatest(r.tenant, 'restart', ids, 3)) === ids ? true : undefined), 60_000, 500).catch(
      async (err: Error) => {
        throw new Error(`${err.message}: ${await atLatest(r.tenant, 'restart', ids, 3)} at revision 3, ${await parkedOnTopic()} on the slow lane`);
      },
    );
    const tookMs = Date.now() - producedAt;
    expect(tookMs).toBeLessThan(60_000);
    expect(await parkedOnTopic()).toBe(before);
    expect(r.letters).toEqual([]);
    expect(routerLetters).toEqual([]);
  }, 240_000);

  it('delays a tenant offered at 5x its rate (every record arrives, in revision order, none dead-lettered) while a tenant at half its rate never waits', async () => {
    const over = shipped.acme.ratePerSec * 5;
    const under = Math.floor(shipped.globex.ratePerSec / 2);
    const seconds = 4;
    const fast = stream(r.tenant, 'over', (over * seconds) / 4, 4); // 4 revisions per key
    const calm = stream(slow, 'calm', (under * seconds) / 2, 2);
    let sawWaiting = 0;
    const watching = (async () => {
      for (let i = 0; i < 40 && sawWaiting === 0; i++) {
        sawWaiting = await deferredOf(r.tenant);
        await new Promise((res) => setTimeout(res, 250));
      }
    })();
    await Promise.all([produceAt(fast, over), produceAt(calm, under)]);
    await watching;
    expect(sawWaiting).toBeGreaterThan(0); // /health/detailed showed the tenant's records waiting
    const metrics = await (await fetch(`${routerUrl()}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`ingest_deferred_waiting_records\\{app="ingest-router",tenant="${r.tenant}"\\} \\d+`));

    // The calm tenant is all there at its latest revision, and none of it waited.
    await waitFor('the calm tenant', async () => ((await atLatest(slow, 'calm', calm.length / 2, 2)) === calm.length / 2 ? true : undefined), 60_000, 500);
    // The busy tenant drains at its spare rate: the backlog over its rate, plus a margin.
    const drainBound = Math.ceil((fast.length / shipped.acme.ratePerSec) * 1000) + 60_000;
    await waitFor(
      'every key of the busy tenant at revision 4',
      async () => ((await atLatest(r.tenant, 'over', fast.length / 4, 4)) === fast.length / 4 ? true : undefined),
      drainBound,
      1000,
    );
    await waitFor('nothing waiting', async () => ((await deferredOf(r.tenant)) === 0 ? true : undefined), 30_000, 500);

    const parked = await readParked();
    expect(parked.filter((m) => m.key?.toString().startsWith(`${slow}:`))).toEqual([]);
    expect(parked.filter((m) => m.key?.toString().startsWith(`${r.tenant}:customer:over-`)).length).toBeGreaterThan(fast.length / 2);
    expect(new Set(parked.map((m) => m.partition))).toHaveProperty('size', 1); // one tenant, one slow-lane partition
    // The router wrote every key's revisions to the sink topic in order: parked ones never overtaken.
    const routed = await readTopic(r.topic, (m) => m.key?.toString().startsWith(`${r.tenant}:customer:over-`) ?? false);
    const lastRevision = new Map<string, number>();
    let outOfOrder = 0;
    for (const m of routed) {
      const { revision } = (await r.registry.decode(m.value!)) as { revision: number };
      const key = m.key!.toString();
      if (revision <= (lastRevision.get(key) ?? 0)) outOfOrder += 1;
      lastRevision.set(key, Math.max(revision, lastRevision.get(key) ?? 0));
    }
    expect(routed.length).toBeGreaterThanOrEqual(fast.length);
    expect(outOfOrder).toBe(0);
    expect(r.letters).toEqual([]);
    expect(routerLetters).toEqual([]);
  }, 300_000);

  async function readParked(): Promise<(KafkaMessage & { partition: number })[]> {
    // The legacy records of the first test are on the lane too, from before the upgrade.
    return readTopic(router.topics[1]!, (m) => m.headers?.['x-mesh-lane-member'] !== undefined);
  }

  async function readTopic(topic: string, keep: (m: KafkaMessage) => boolean): Promise<(KafkaMessage & { partition: number })[]> {
    const ends = await r.admin.fetchTopicOffsets(topic);
    const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    const all: (KafkaMessage & { partition: number })[] = [];
    const consumer = r.kafka.consumer({ groupId: `sink-pg-int-${r.run}-read-${topic}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message, partition }) => void all.push({ ...message, partition }) });
    await waitFor(`${topic} read to its end`, async () => (all.length >= total ? true : undefined), 60_000);
    await consumer.disconnect();
    return all.filter(keep);
  }
});
