// The coordinator on the real stack, as child processes of its main.ts: approval above the
// threshold, a legal hold blocking plan and run, two instances with exactly one running a plan,
// the owner SIGKILLed mid-run and the run taken over from its checkpoints (every window record of
// the tenant republished intact, none of another tenant, none outside the window), and pause,
// resume, cancel and a legal hold added mid-run, with the default target (the source topic itself).
import { randomUUID } from 'node:crypto';
import { headerString, REDRIVE_HEADERS } from '@ingest-mesh/kafka-runtime';
import { freePort, waitFor } from '@ingest-mesh/testing';
import type { KafkaMessage, Message } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_SOURCE_HEADER } from './replay-headers.js';
import { stopChild } from '@ingest-mesh/testing';
import { ReplayHarness, type Child } from './test-support/replay-harness.js';

const h = new ReplayHarness({ freePort, waitFor });
const source = `test.replay.src.${h.run}`;
const out = `test.replay.out.${h.run}`;
const A = `acme-${h.run}`;
const B = `other-${h.run}`;
const T0 = Date.now() - 3_600_000;
const FROM = new Date(T0).toISOString();
const TO = new Date(T0 + 600_000).toISOString();
const WINDOW = 900;

/** Window record i: 2 of 3 are tenant A's; the tenant is named by the key, the JSON body or the header. */
function record(i: number, ts: number, tag: string): Message {
  const tenant = i % 3 === 0 ? B : A;
  const shape = i % 10;
  return {
    key: shape === 1 ? `plain-${tag}-${i}` : shape === 2 ? `h-${tag}-${i}` : `${tenant}:customer:${tag}-${i}`,
    value: JSON.stringify({
      ...(shape === 2 ? {} : { tenant }),
      source: 'crm',
      entityType: 'customer',
      id: `${tag}-${i}`,
      revision: i,
      occurredAt: new Date(ts).toISOString(),
      payload: { n: i },
    }),
    headers: { 'x-test': `${tag}-${i}`, ...(shape === 2 ? { 'x-mesh-tenant': tenant } : {}) },
    timestamp: String(ts),
  };
}

const coordinate = (m: { partition: number; offset: string }, topic = source) => `${topic}/${m.partition}/${m.offset}`;
const tenantOfTest = (m: KafkaMessage) => headerString(m.headers, 'x-mesh-tenant') ?? (JSON.parse(m.value!.toString()) as { tenant?: string }).tenant;

describe('replay-coordinator', () => {
  const coordinators: Child[] = [];
  let windowOfA: Map<string, KafkaMessage>;

  beforeAll(async () => {
    await h.start();
    await h.createTopics([source, out]);
    // Before, in and after the window, in timestamp order.
    await h.send(
      source,
      Array.from({ length: 60 }, (_, i) => record(i, T0 - 600_000 + i, 'before')),
    );
    await h.send(
      source,
      Array.from({ length: WINDOW }, (_, i) => record(i, T0 + i * 10, 'in')),
    );
    await h.send(
      source,
      Array.from({ length: 60 }, (_, i) => record(i, T0 + 1_200_000 + i, 'after')),
    );
    const all = await h.readAll(source);
    windowOfA = new Map(all.filter((m) => m.headers?.['x-test']?.toString().startsWith('in-') && tenantOfTest(m) === A).map((m) => [coordinate(m), m]));
    expect(windowOfA.size).toBe(600);
    coordinators.push(await h.spawnCoordinator({ REPLAY_APPROVAL_THRESHOLD: '100' }), await h.spawnCoordinator({ REPLAY_APPROVAL_THRESHOLD: '100' }));
  }, 240_000);

  afterAll(async () => {
    await h.stop();
  }, 180_000);

  const planArgs = (planId: string, extra: Record<string, string> = {}) => ({ planId, sources: source, from: FROM, to: TO, throttle: '150', ...extra });

  it('needs approval above the threshold, refuses plan and run under a legal hold, and survives its owner being SIGKILLed', async () => {
    const planId = randomUUID();
    expect(await h.command('replay_plan', planArgs(planId, { target: out }), A)).toMatchObject({ outcome: 'applied' });
    expect(await h.plan(planId)).toMatchObject({ status: 'planned', approval: 'required', estimate: WINDOW, created_by: 'tester@int' });

    expect(await h.command('replay_run', { planId })).toMatchObject({ outcome: 'refused', refusal: 'needs-approval' });
    expect(await h.command('replay_approve', { planId })).toMatchObject({ outcome: 'refused', refusal: 'bad-args' });
    expect(await h.command('replay_approve', { planId, rfa: 'RFA-1234' }, undefined, 'alice@ops')).toMatchObject({ outcome: 'applied' });
    const approved = await h.plan(planId);
    expect(approved).toMatchObject({ approval: 'approved', approved_by: 'alice@ops', rfa: 'RFA-1234' });
    expect(approved['approved_at']).toBeInstanceOf(Date);

    expect(await h.command('replay_plan', { hold: 'add', reason: 'litigation L-7' }, A, 'legal@corp')).toMatchObject({ outcome: 'applied' });
    const heldPlan = await h.command('replay_plan', planArgs(randomUUID()), A);
    expect(heldPlan).toMatchObject({ outcome: 'refused', refusal: 'held' });
    expect(heldPlan.message).toContain(`tenant ${A} is under legal hold`);
    expect(heldPlan.message).toContain('litigation L-7');
    expect(await h.command('replay_run', { planId })).toMatchObject({ outcome: 'refused', refusal: 'held' });
    expect(await h.command('replay_plan', { hold: 'remove' }, A)).toMatchObject({ outcome: 'applied' });

    expect(await h.command('replay_run', { planId })).toMatchObject({ outcome: 'applied' });
    const owned = await waitFor(
      'the run to be under way',
      async () => {
        const p = await h.plan(planId);
        return p['owner'] && Number(p['produced']) >= 100 ? p : undefined;
      },
      60_000,
    );
    // Exactly one of the two instances runs it: the other one's run group never appears.
    const groups = (await h.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${h.groupPrefix}.run.${planId}`));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toBe(`${h.groupPrefix}.run.${planId}.${String(owned['owner'])}`);
    const owner = coordinators.find((c) => c.instanceId === owned['owner']);
    expect(owner).toBeDefined();
    await stopChild(owner!, { signal: 'SIGKILL' });
    const producedAtKill = Number((await h.plan(planId))['produced']);
    expect(producedAtKill).toBeLessThan(600);
    coordinators.push(await h.spawnCoordinator({ REPLAY_APPROVAL_THRESHOLD: '100' }));

    const done = await h.waitForStatus(planId, 'completed', 120_000);
    expect(done).toMatchObject({ read: WINDOW });
    expect(Number(done['claims'])).toBeGreaterThanOrEqual(2);
    expect(done['owner']).not.toBe(owned['owner']);

    const replayed = (await h.readAll(out)).filter((m) => headerString(m.headers, REDRIVE_HEADERS.replayId) === planId);
    const bySource = new Map<string, KafkaMessage>();
    for (const m of replayed) bySource.set(headerString(m.headers, REPLAY_SOURCE_HEADER)!, m);
    // Every window record of the tenant, and nothing else; at most one segment (throttle/5) twice.
    expect([...bySource.keys()].sort()).toEqual([...windowOfA.keys()].sort());
    expect(replayed.length - bySource.size).toBeLessThanOrEqual(30);
    expect(Number(done['produced'])).toBe(replayed.length);
    for (const [at, m] of bySource) {
      const original = windowOfA.get(at)!;
      expect(m.key).toEqual(original.key);
      expect(m.value).toEqual(original.value);
      expect(m.headers?.['x-test']).toEqual(original.headers?.['x-test']);
    }
  });

  it('replays into the source topic itself, same partition, and obeys a legal hold, pause, resume and cancel', async () => {
    const planId = randomUUID();
    // The estimate counts the whole window (all tenants), so this plan needs approval too.
    expect(await h.command('replay_plan', planArgs(planId, { throttle: '60' }), B)).toMatchObject({ outcome: 'applied' });
    expect(await h.command('replay_approve', { planId, rfa: 'RFA-99' })).toMatchObject({ outcome: 'applied' });
    expect(await h.command('replay_run', { planId })).toMatchObject({ outcome: 'applied' });
    await waitFor('some records republished', async () => (Number((await h.plan(planId))['produced']) > 0 ? true : undefined), 60_000);

    // A legal hold stops the running replay; resume is refused until the hold is removed.
    expect(await h.command('replay_plan', { hold: 'add', reason: 'audit' }, B)).toMatchObject({ outcome: 'applied' });
    const blocked = await waitFor(
      'the owner to stop',
      async () => {
        const p = await h.plan(planId);
        return p['owner'] === null ? p : undefined;
      },
      30_000,
    );
    expect(blocked).toMatchObject({ status: 'blocked', message: `blocked by a legal hold on tenant ${B}: audit` });
    expect(await h.command('replay_resume', { planId })).toMatchObject({ outcome: 'refused', refusal: 'held' });
    expect(await h.command('replay_plan', { hold: 'remove' }, B)).toMatchObject({ outcome: 'applied' });
    expect(await h.command('replay_resume', { planId })).toMatchObject({ outcome: 'applied' });
    await waitFor(
      'more records republished',
      async () => (Number((await h.plan(planId))['produced']) > Number(blocked['produced']) ? true : undefined),
      60_000,
    );

    expect(await h.command('replay_pause', { planId })).toMatchObject({ outcome: 'applied' });
    const paused = await waitFor(
      'the owner to let go',
      async () => {
        const p = await h.plan(planId);
        return p['owner'] === null ? p : undefined;
      },
      30_000,
    );
    expect(paused['status']).toBe('paused');
    expect(Number(paused['read'])).toBeLessThan(WINDOW);
    expect(await h.command('replay_pause', { planId })).toMatchObject({ outcome: 'refused', refusal: 'bad-state' });
    expect(await h.command('replay_resume', { planId })).toMatchObject({ outcome: 'applied' });
    await h.waitForStatus(planId, 'completed', 120_000);

    const replayed = (await h.readAll(source)).filter((m) => headerString(m.headers, REDRIVE_HEADERS.replayId) === planId);
    const sources = new Set(replayed.map((m) => headerString(m.headers, REPLAY_SOURCE_HEADER)));
    expect(sources.size).toBe(300);
    for (const m of replayed) {
      expect(tenantOfTest(m)).toBe(B);
      expect(headerString(m.headers, REPLAY_SOURCE_HEADER)!.split('/')[1]).toBe(String(m.partition));
    }

    const cancelled = randomUUID();
    expect(await h.command('replay_plan', planArgs(cancelled), B)).toMatchObject({ outcome: 'applied' });
    expect(await h.command('replay_cancel', { planId: cancelled })).toMatchObject({ outcome: 'applied' });
    expect(await h.command('replay_run', { planId: cancelled })).toMatchObject({ outcome: 'refused', refusal: 'bad-state' });
    expect(await h.command('replay_approve', { planId: randomUUID(), rfa: 'RFA-1' })).toMatchObject({ outcome: 'refused', refusal: 'unknown-plan' });
  });
});
