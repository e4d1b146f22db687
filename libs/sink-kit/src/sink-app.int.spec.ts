// The SinkApp runner on the real stack (Kafka, registry) with an in-memory Sink: real Avro
// SinkRecords are written once and in order per key; an older revision goes to the DLQ as
// OLDER_REVISION and an equal one is a no-op; a sink that keeps failing with connection errors
// opens the breaker, consumption pauses, nothing reaches the DLQ, and after recovery everything
// is written, nothing lost. With deadLetterInfrastructureFailures, exhausted connection errors
// go to the DLQ as CONNECTION_ERROR, retryable. With olderRevision skip, an older revision is
// skipped and counted: nothing in the DLQ, the store stays at the newer revision.
import { DLQ_HEADERS, headerString } from '@ingest-mesh/kafka-runtime';
import { ConnectionError } from '@ingest-mesh/reason-codes';
import { waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySink } from './test-support/memory-sink.js';
import { SinkTestRun } from './testing/sink-test-run.js';

const RESET_MS = 2000;
const header = (m: { headers?: Parameters<typeof headerString>[0] }, name: string) => headerString(m.headers, name);

describe('runSinkApp (default: infrastructure failures wait for the sink)', () => {
  const r = new SinkTestRun({ label: 'kit', sink: new MemorySink(), circuit: { resetTimeoutMs: RESET_MS, volumeThreshold: 3, errorThresholdPercentage: 50 } });

  beforeAll(() => r.start(), 180_000);
  afterAll(() => r.stop(), 120_000);

  const appliedOf = (key: string) => r.sink.applied.filter((a) => a.key === key).map((a) => a.revision);

  it('reports its breaker as closed from the start (before it ever moved)', async () => {
    const metrics = await (await fetch(`${r.base}/metrics`)).text();
    const closed = metrics
      .split('\n')
      .find((line) => line.startsWith('ingest_circuit_state{') && line.includes('circuit="memory"') && line.includes('state="closed"'));
    expect(closed).toMatch(/ 1$/);
  });

  it('writes every record once, in order per key, including a delete', async () => {
    const ids = Array.from({ length: 12 }, (_, n) => `w${n}`);
    const messages = [];
    for (let revision = 1; revision <= 3; revision++) {
      for (const id of ids) messages.push({ key: r.key(id), value: await r.sinkRecord(id, revision) });
    }
    messages.push({ key: r.key('w0'), value: await r.sinkRecord('w0', 4, { op: 'delete' }) });
    await r.send(messages);

    await waitFor(
      'every record applied',
      async () => (ids.every((id) => appliedOf(r.key(id)).length >= 3) && appliedOf(r.key('w0')).length === 4 ? true : undefined),
      60_000,
    );
    for (const id of ids) expect(appliedOf(r.key(id))).toEqual(id === 'w0' ? [1, 2, 3, 4] : [1, 2, 3]);
    const w1 = r.sink.rows.get(r.key('w1'))!;
    expect(w1).toMatchObject({
      revision: 3,
      op: 'upsert',
      payload: { id: 'w1', name: 'Customer w1 r3', tier: 'pro', country: 'DE', createdAt: Date.parse('2025-03-01T12:00:00Z') },
    });
    expect(r.sink.rows.get(r.key('w0'))).toMatchObject({ revision: 4, op: 'delete', payload: null });
    expect(r.sink.connects).toBe(1);
  });

  it('dead-letters an older revision as OLDER_REVISION and an undecodable record as INVALID_PAYLOAD; an equal revision is a no-op', async () => {
    const [current, older, equal, junk, marker] = await r.send([
      { key: r.key('o1'), value: await r.sinkRecord('o1', 5) },
      { key: r.key('o1'), value: await r.sinkRecord('o1', 3, { name: 'stale' }) },
      { key: r.key('o1'), value: await r.sinkRecord('o1', 5, { name: 'again' }) },
      { key: r.key('junk'), value: Buffer.from('{"not":"avro"}') },
      { key: r.key('o-marker'), value: await r.sinkRecord('o-marker', 1) },
    ]);
    await waitFor('the marker applied', async () => (appliedOf(r.key('o-marker')).length === 1 ? true : undefined));
    await waitFor('two dead letters', async () => (r.letterFor(older!).length > 0 && r.letterFor(junk!).length > 0 ? true : undefined));

    expect(appliedOf(r.key('o1'))).toEqual([5]);
    expect(r.sink.rows.get(r.key('o1'))?.payload).toMatchObject({ name: 'Customer o1 r5' });
    const letter = r.letterFor(older!)[0]!;
    expect(header(letter, DLQ_HEADERS.reason)).toBe('OLDER_REVISION');
    expect(header(letter, DLQ_HEADERS.retryable)).toBe('false');
    expect(header(letter, DLQ_HEADERS.tenant)).toBe(r.tenant);
    expect(header(letter, DLQ_HEADERS.error)).toMatch(/revision 3 is older than revision 5/);
    expect(letter.key?.toString()).toBe(r.key('o1'));
    expect(header(r.letterFor(junk!)[0]!, DLQ_HEADERS.reason)).toBe('INVALID_PAYLOAD');
    for (const p of [current!, equal!, marker!]) expect(r.letterFor(p)).toEqual([]);
    expect(r.sinkApp.stats()).toMatchObject({ noop: 1, olderRevision: 1 });
    // Counted once final (dead-lettered), as dlq; the DLQ counter has it under its reason.
    expect(await waitFor('the older-revision counter', () => r.metric('ingest_older_revisions_total', { action: 'dlq' }))).toBe(1);
    expect(await r.metric('ingest_older_revisions_total', { action: 'skip' })).toBeUndefined();
    expect(await r.metric('ingest_dlq_total', { reason: 'OLDER_REVISION' })).toBe(1);
    expect((await r.detailed()).sink).toMatchObject({ olderRevision: 'dlq' });
  });

  it('opens the breaker while the sink is down, pauses consumption without dead-lettering, and writes everything once it is back', async () => {
    const lettersBefore = r.letters.length;
    r.sink.failWith = () => new ConnectionError('connect ECONNREFUSED 127.0.0.1:5432 (test sink down)');
    const first = await r.send(await Promise.all(['d1', 'd2', 'd3', 'd4'].map(async (id) => ({ key: r.key(id), value: await r.sinkRecord(id, 1) }))));

    const opened = await waitFor('the circuit to open', async () => {
      const d = await r.detailed();
      return d.circuits[0]?.state === 'open' ? d : undefined;
    });
    expect(opened.circuits[0]).toMatchObject({ name: 'memory', state: 'open' });
    expect(opened.backpressure.state).toBe('paused');
    expect(opened.sink).toMatchObject({ name: 'memory', health: { ok: false }, deadLetterInfrastructureFailures: false });

    // While open the sink is not called at all (the first probe comes after RESET_MS).
    const callsAtOpen = r.sink.calls.length;
    const more = await r.send(await Promise.all(['d5', 'd6'].map(async (id) => ({ key: r.key(id), value: await r.sinkRecord(id, 1) }))));
    await new Promise((resolve) => setTimeout(resolve, RESET_MS / 3));
    expect(r.sink.calls.length).toBe(callsAtOpen);

    // Down for longer than the retry attempts and a few probes: still nothing in the DLQ.
    await waitFor('a failed half-open probe', async () => (r.sink.calls.length > callsAtOpen ? true : undefined), RESET_MS * 3);
    await new Promise((resolve) => setTimeout(resolve, RESET_MS));
    expect((await r.detailed()).circuits[0]?.state).not.toBe('closed');

    r.sink.failWith = undefined;
    await waitFor('every record written', async () => ([...first, ...more].every((p) => appliedOf(p.key).length === 1) ? true : undefined), 30_000);
    await waitFor('the circuit to close', async () => ((await r.detailed()).circuits[0]?.state === 'closed' ? true : undefined));
    for (const p of [...first, ...more]) expect(appliedOf(p.key)).toEqual([1]);
    // Give any late dead letter time to show up: there must be none.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.letters.slice(lettersBefore)).toEqual([]);
    const after = await r.detailed();
    expect(after.backpressure.state).not.toBe('paused');
    expect(after.sink).toMatchObject({ health: { ok: true }, stats: { circuitWaits: expect.any(Number) } });
    expect((after.sink['stats'] as { circuitWaits: number }).circuitWaits).toBeGreaterThan(0);
  });
});

describe('runSinkApp with deadLetterInfrastructureFailures', () => {
  // A breaker that cannot open in this test, so the retry attempts run out first.
  const r = new SinkTestRun({ label: 'dlq', sink: new MemorySink(), deadLetterInfrastructureFailures: true, circuit: { volumeThreshold: 1000 } });

  beforeAll(() => r.start(), 180_000);
  afterAll(() => r.stop(), 120_000);

  it('dead-letters records whose writes keep failing as CONNECTION_ERROR, retryable, and goes on', async () => {
    r.sink.failWith = () => new ConnectionError('connect ECONNREFUSED 127.0.0.1:5432 (test sink down)');
    const [a] = await r.send([{ key: r.key('x1'), value: await r.sinkRecord('x1', 1) }]);
    const letter = await waitFor('the dead letter', async () => r.letterFor(a!)[0]);
    expect(header(letter, DLQ_HEADERS.reason)).toBe('CONNECTION_ERROR');
    expect(header(letter, DLQ_HEADERS.retryable)).toBe('true');
    expect(Number(header(letter, DLQ_HEADERS.attempts))).toBe(3);

    r.sink.failWith = undefined;
    const [b] = await r.send([{ key: r.key('x2'), value: await r.sinkRecord('x2', 1) }]);
    await waitFor('the next record written', async () => (r.sink.rows.has(b!.key) ? true : undefined));
    expect(r.sink.rows.has(a!.key)).toBe(false);
  });
});

describe('runSinkApp with olderRevision skip', () => {
  const r = new SinkTestRun({ label: 'skip', sink: new MemorySink(), olderRevision: 'skip' });

  beforeAll(() => r.start(), 180_000);
  afterAll(() => r.stop(), 120_000);

  it('skips an older revision and counts it: nothing in the DLQ, the store stays at the newer revision', async () => {
    const [current] = await r.send([{ key: r.key('s1'), value: await r.sinkRecord('s1', 5) }]);
    await waitFor('the newer revision applied', async () => (r.sink.rows.get(current!.key)?.revision === 5 ? true : undefined));
    // In rounds of their own after it: the store refuses revision 3. The junk record has the same
    // key, so its letter lands on the same DLQ partition after any letter of the older revision.
    const [older, junk] = await r.send([
      { key: r.key('s1'), value: await r.sinkRecord('s1', 3, { name: 'stale' }) },
      { key: r.key('s1'), value: Buffer.from('{"not":"avro"}') },
    ]);
    const letter = await waitFor('the undecodable record dead-lettered', async () => r.letterFor(junk!)[0]);
    expect(header(letter, DLQ_HEADERS.reason)).toBe('INVALID_PAYLOAD');
    expect(r.letterFor(older!)).toEqual([]);

    expect(r.sink.applied.filter((a) => a.key === current!.key).map((a) => a.revision)).toEqual([5]);
    expect(r.sink.rows.get(current!.key)).toMatchObject({ revision: 5, payload: { name: 'Customer s1 r5' } });
    expect(r.sinkApp.stats()).toMatchObject({ written: 1, olderRevision: 1, noop: 0, failed: 0 });
    expect(await waitFor('the older-revision counter', () => r.metric('ingest_older_revisions_total', { action: 'skip' }))).toBe(1);
    expect(await r.metric('ingest_older_revisions_total', { action: 'dlq' })).toBeUndefined();
    expect(await r.metric('ingest_records_total', { outcome: 'skipped' })).toBe(1);
    expect(await r.metric('ingest_dlq_total', { reason: 'OLDER_REVISION' })).toBeUndefined();
    expect(await r.metric('ingest_dlq_total', { reason: 'INVALID_PAYLOAD' })).toBe(1);
    expect((await r.detailed()).sink).toMatchObject({ olderRevision: 'skip', stats: { olderRevision: 1 } });
    await waitFor('offsets committed past both', async () => ((await r.committedToEnd()) ? true : undefined));
  });
});
