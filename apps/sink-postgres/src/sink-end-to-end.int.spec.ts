// End to end on the real stack: JSON envelopes into the router's raw topic, ingest-router (its own
// process) routing customer and order to this run's sink, sink-postgres in-process writing them:
// the rows are exactly what was sent at the latest revision, a tombstone leaves the row deleted
// (not in the _live view), and an older revision goes to dlq.<sink app> as OLDER_REVISION.
import { rmSync } from 'node:fs';
import { DLQ_HEADERS, headerString } from '@ingest-mesh/kafka-runtime';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, routerReady, spawnRouter, stopRouter, waitFor, type RouterProcess } from '@ingest-mesh/testing';
import { SinkPgRun } from './test-support/sink-pg-run.js';

const AT = '2025-03-01T12:00:00.000Z';

describe('ingest.raw → ingest-router → sink-postgres → rows', () => {
  const sinkName = `t${Math.random().toString(36).slice(2, 10)}-pg`;
  const r = new SinkPgRun({ label: 'e2e', topic: `sink.${sinkName}` });
  let router: RouterProcess & { child: { output?: string[] } };
  let routeGroupsBefore = new Set<string>();

  const routeGroups = async () => (await r.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('ingest-router-routes-'));

  beforeAll(async () => {
    await r.start();
    routeGroupsBefore = new Set(await routeGroups());
    router = await spawnRouter({
      run: r.run,
      config: {
        tenants: { [r.tenant]: { ratePerSec: 1000, burst: 2000 } },
        entityTypes: { customer: { sinks: [sinkName] }, order: { sinks: [sinkName] } },
      },
      env: r.runtimeVars(),
      port: await freePort(),
    });
    r.track(router.child);
    r.cleanUp({ topics: router.topics });
    r.addGroupPrefix(router.groupId);
    await r.startInProcess();
    await routerReady(router);
  }, 240_000);

  afterAll(async () => {
    await stopRouter(router);
    await r.stop();
    if (router) rmSync(router.configFile, { force: true });
    // The router's route listener group of this run (ingest-router-routes-<uuid>), now empty.
    const admin = r.kafka.admin();
    await admin.connect();
    const fresh = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('ingest-router-routes-') && !routeGroupsBefore.has(g));
    for (const g of fresh) await admin.deleteGroups([g]).catch(() => undefined);
    await admin.disconnect();
  }, 120_000);

  const raw = (entityType: string, id: string, revision: number, payload: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
    key: `${r.tenant}:${entityType}:${id}`,
    value: JSON.stringify({
      tenant: r.tenant,
      source: 'crm',
      entityType,
      id,
      revision,
      occurredAt: AT,
      ...(payload === null ? { op: 'delete' } : { payload }),
      ...extra,
    }),
  });
  const customer = (id: string, revision: number) => ({
    id,
    name: `Customer ${id} r${revision}`,
    email: `${id}@example.com`,
    tier: 'pro',
    country: 'DE',
    createdAt: AT,
  });
  const sendRaw = (messages: { key: string; value: string }[]) => r.producer.send({ topic: router.sourceTopic, acks: -1, messages });
  const row = async (table: string, id: string) =>
    (await r.db.pool.query(`SELECT * FROM ${table} WHERE tenant = $1 AND id = $2`, [r.tenant, id])).rows[0] as Record<string, unknown> | undefined;

  it('writes the latest revision of each key, deletes tombstoned ones, and dead-letters an older revision', async () => {
    await sendRaw([
      raw('customer', 'c1', 1, customer('c1', 1)),
      raw('customer', 'c1', 2, customer('c1', 2)),
      raw('customer', 'c1', 3, customer('c1', 3)),
      raw('customer', 'c2', 1, customer('c2', 1)),
      raw('customer', 'c2', 2, null),
      raw('order', 'o1', 1, {
        id: 'o1',
        customerId: 'c1',
        status: 'placed',
        amountCents: 4599,
        currency: 'EUR',
        items: [
          { sku: 'sku-1', qty: 2 },
          { sku: 'sku-9', qty: 1 },
        ],
      }),
      raw('customer', 'c3', 5, customer('c3', 5)),
    ]);
    await waitFor(
      'the rows',
      async () => {
        const [c1, c2, o1, c3] = await Promise.all([row('customers', 'c1'), row('customers', 'c2'), row('orders', 'o1'), row('customers', 'c3')]);
        return c1?.['revision'] === '3' && c2?.['deleted'] === true && o1 && c3 ? { c1, c2, o1 } : undefined;
      },
      90_000,
    );

    expect(await row('customers_live', 'c1')).toMatchObject({
      tenant: r.tenant,
      id: 'c1',
      revision: '3',
      name: 'Customer c1 r3',
      email: 'c1@example.com',
      tier: 'pro',
      country: 'DE',
      created_at: new Date(AT),
      occurred_at: new Date(AT),
      source: 'crm',
    });
    expect(await row('customers_live', 'c2')).toBeUndefined();
    expect(await row('customers', 'c2')).toMatchObject({ revision: '2', deleted: true, name: null, email: null });
    expect(await row('orders_live', 'o1')).toMatchObject({
      revision: '1',
      customer_id: 'c1',
      status: 'placed',
      amount_cents: '4599',
      currency: 'EUR',
      items: [
        { sku: 'sku-1', qty: 2 },
        { sku: 'sku-9', qty: 1 },
      ],
      source: 'crm',
    });

    // A revision older than the stored one (never seen by the router, so not a duplicate there).
    await sendRaw([raw('customer', 'c3', 4, customer('c3', 4))]);
    const letter = await waitFor('the OLDER_REVISION letter', async () => r.letters.find((m) => m.key?.toString() === `${r.tenant}:customer:c3`), 60_000);
    expect(headerString(letter.headers, DLQ_HEADERS.reason)).toBe('OLDER_REVISION');
    expect(headerString(letter.headers, DLQ_HEADERS.retryable)).toBe('false');
    expect(await row('customers', 'c3')).toMatchObject({ revision: '5', name: 'Customer c3 r5' });
    expect(r.letters).toHaveLength(1);
  });
});
