import { SinkCircuit } from '@ingest-mesh/circuit';
import type { AvroType } from '@ingest-mesh/avro';
import type { HandleContext, InboundRecord, RecordOutcome } from '@ingest-mesh/kafka-runtime';
import { CircuitOpenError, classify, ConnectionError, ConstraintViolationError, InvalidPayloadError, OlderRevisionError } from '@ingest-mesh/reason-codes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SinkRecordDecoder } from './decode.js';
import { SinkHandler, tenantOfKey } from './sink-handler.js';
import { UNTRACED } from '@ingest-mesh/telemetry';
import { FakeSchemas, IDS, inbound, sinkRecord } from './test-support/fake-schemas.js';
import { MemorySink } from './test-support/memory-sink.js';

const circuits: SinkCircuit[] = [];
afterEach(() => {
  for (const c of circuits.splice(0)) c.shutdown();
});

function setup(opts: { schemas?: FakeSchemas; resetTimeoutMs?: number; olderRevision?: 'dlq' | 'skip' } = {}) {
  const sink = new MemorySink('memory');
  const circuit = new SinkCircuit({ name: sink.name, resetTimeoutMs: opts.resetTimeoutMs ?? 60_000, volumeThreshold: 3, errorThresholdPercentage: 50 });
  circuits.push(circuit);
  const olderRevisions: Record<string, number> = {};
  const metrics = { olderRevisions: (action: string, n = 1) => void (olderRevisions[action] = (olderRevisions[action] ?? 0) + n) };
  const handler = new SinkHandler({
    sink,
    circuit,
    decoder: new SinkRecordDecoder(opts.schemas ?? new FakeSchemas()),
    circuitPollMs: 5,
    metrics,
    ...(opts.olderRevision ? { olderRevision: opts.olderRevision } : {}),
  });
  return { sink, circuit, handler, olderRevisions };
}

function context(signal = new AbortController().signal): HandleContext & { heartbeat: ReturnType<typeof vi.fn> } {
  return { signal, attempt: 1, heartbeat: vi.fn(async () => undefined), trace: UNTRACED };
}

const errorOf = (o: RecordOutcome | undefined) => (o as { error: unknown }).error;

describe('SinkHandler.describe', () => {
  it('reads the tenant from the key, asks for no dedupe, and gives the priority once the schema is known', async () => {
    const { sink, handler } = setup();
    await sink.connect();
    const first = sinkRecord({ id: 'd1', tenant: 'globex', priority: 'low' });
    expect(handler.describe(first)).toEqual({ tenant: 'globex' });
    await handler.handle([first], context());
    const second = sinkRecord({ id: 'd2', tenant: 'globex', priority: 'high' });
    expect(handler.describe(second)).toEqual({ tenant: 'globex', priority: 'high' });
  });

  it('never throws for a record that does not decode', () => {
    const { handler } = setup();
    expect(handler.describe(inbound(Buffer.from('junk'), { key: 'acme:customer:1' }))).toEqual({ tenant: 'acme' });
    expect(handler.describe(inbound(null))).toEqual({});
  });

  it('tenantOfKey takes the first of three or more segments', () => {
    expect(tenantOfKey(Buffer.from('acme:customer:id:with:colons'))).toBe('acme');
    expect(tenantOfKey('acme:customer')).toBeUndefined();
    expect(tenantOfKey(':customer:1')).toBeUndefined();
    expect(tenantOfKey(null)).toBeUndefined();
  });
});

describe('SinkHandler.handle', () => {
  it('maps written, no-op, older revision and failed outcomes, one writeBatch for the round', async () => {
    const { sink, handler } = setup();
    await sink.connect();
    await handler.handle([sinkRecord({ id: 'seen', revision: 5 })], context());
    sink.recordFailures.set('bad', () => new ConstraintViolationError('email must be unique'));
    const calls = sink.calls.length;

    const outcomes = await handler.handle(
      [
        sinkRecord({ id: 'new', revision: 1 }),
        sinkRecord({ id: 'seen', revision: 5 }), // equal: no-op
        sinkRecord({ id: 'seen', revision: 3 }), // older
        sinkRecord({ id: 'bad', revision: 1 }),
        sinkRecord({ id: 'seen', revision: 6 }),
      ],
      context(),
    );
    expect(sink.calls.length - calls).toBe(1);
    expect(outcomes[0]).toEqual({ status: 'done', effect: 'written' });
    expect(outcomes[1]).toEqual({ status: 'done', effect: 'skipped' });
    expect(errorOf(outcomes[2])).toBeInstanceOf(OlderRevisionError);
    expect((errorOf(outcomes[2]) as Error).message).toMatch(/revision 3 is older than revision 5/);
    expect(classify(errorOf(outcomes[3]))).toMatchObject({ code: 'CONSTRAINT_VIOLATION', retryable: false });
    expect(outcomes[4]).toEqual({ status: 'done', effect: 'written' });
    expect(sink.rows.get('acme:customer:seen')?.revision).toBe(6);
    expect(handler.stats()).toMatchObject({ written: 3, noop: 1, olderRevision: 1, failed: 1, batches: 2 });
  });

  it("skips as superseded an older revision that waited in the router's slow lane, and dead-letters one that did not", async () => {
    const { sink, handler } = setup();
    await sink.connect();
    await handler.handle([sinkRecord({ id: 'k', revision: 3 })], context());
    const parked = sinkRecord({ id: 'k', revision: 2 });
    parked.message.headers = { 'x-mesh-deferred-reason': 'tenant-rate' };
    const [fromSlowLane, direct] = await handler.handle([parked, sinkRecord({ id: 'k', revision: 1 })], context());
    expect(fromSlowLane).toEqual({ status: 'done', effect: 'skipped' });
    expect(errorOf(direct)).toBeInstanceOf(OlderRevisionError);
    expect(sink.rows.get('acme:customer:k')?.revision).toBe(3);
    expect(handler.stats()).toMatchObject({ superseded: 1, olderRevision: 1 });
  });

  it('with olderRevision skip, makes an older revision final as skipped, builds no error for it, and counts it once settled', async () => {
    const { sink, handler, olderRevisions } = setup({ olderRevision: 'skip' });
    await sink.connect();
    await handler.handle([sinkRecord({ id: 'k', revision: 5 })], context());
    const older = sinkRecord({ id: 'k', revision: 3 });
    const other = sinkRecord({ id: 'n', revision: 1 });
    const outcomes = await handler.handle([older, other], context());
    expect(outcomes).toEqual([
      { status: 'done', effect: 'skipped' },
      { status: 'done', effect: 'written' },
    ]);
    expect(sink.rows.get('acme:customer:k')?.revision).toBe(5);
    expect(handler.stats()).toMatchObject({ olderRevision: 1, noop: 0, written: 2, failed: 0, superseded: 0 });
    expect(olderRevisions).toEqual({});
    await handler.settled([
      { record: older, final: 'skipped' },
      { record: other, final: 'written' },
    ]);
    expect(olderRevisions).toEqual({ skip: 1 });
    // Reported again (after a crash, say): not counted twice.
    await handler.settled([{ record: older, final: 'skipped' }]);
    expect(olderRevisions).toEqual({ skip: 1 });
  });

  it('with olderRevision dlq (the default), counts an older revision once it is dead-lettered, and one handled again once', async () => {
    const { sink, handler, olderRevisions } = setup();
    await sink.connect();
    await handler.handle([sinkRecord({ id: 'k', revision: 5 })], context());
    const older = sinkRecord({ id: 'k', revision: 3 });
    // Handled twice (an earlier record of the round was retried), dead-lettered once.
    await handler.handle([older], context());
    const [outcome] = await handler.handle([older], context());
    expect(errorOf(outcome)).toBeInstanceOf(OlderRevisionError);
    await handler.settled([{ record: older, final: 'dlq' }]);
    expect(olderRevisions).toEqual({ dlq: 1 });
    // A slow-lane record skipped as superseded is not a late revision of the producer's.
    const parked = sinkRecord({ id: 'k', revision: 4 });
    parked.message.headers = { 'x-mesh-deferred-reason': 'tenant-rate' };
    expect(await handler.handle([parked], context())).toEqual([{ status: 'done', effect: 'skipped' }]);
    await handler.settled([{ record: parked, final: 'skipped' }]);
    expect(olderRevisions).toEqual({ dlq: 1 });
    expect(handler.stats()).toMatchObject({ olderRevision: 2, superseded: 1 });
  });

  it('fails every record with the error when writeBatch throws', async () => {
    const { sink, handler } = setup();
    await sink.connect();
    const down = new ConnectionError('connect ECONNREFUSED 127.0.0.1:5432');
    sink.failWith = () => down;
    const outcomes = await handler.handle([sinkRecord({ id: 'a' }), sinkRecord({ id: 'b' })], context());
    expect(outcomes).toEqual([
      { status: 'failed', error: down },
      { status: 'failed', error: down },
    ]);
    expect(handler.stats()).toMatchObject({ batchFailures: 1, failed: 2, lastError: expect.stringContaining('ECONNREFUSED') });
  });

  it('fails undecodable records alone (non-retryable) and writes the others', async () => {
    const { sink, handler } = setup();
    await sink.connect();
    const outcomes = await handler.handle(
      [sinkRecord({ id: 'a' }), inbound(Buffer.from('{"json":true}'), { key: 'acme:customer:j' }), sinkRecord({ id: 'b' })],
      context(),
    );
    expect(outcomes[0]).toEqual({ status: 'done', effect: 'written' });
    expect(errorOf(outcomes[1])).toBeInstanceOf(InvalidPayloadError);
    expect(outcomes[2]).toEqual({ status: 'done', effect: 'written' });
    expect(sink.applied.map((a) => a.key)).toEqual(['acme:customer:a', 'acme:customer:b']);
  });

  it('writes nothing after a record that cannot be decoded for now (registry down), so nothing overtakes it', async () => {
    class FlakySchemas extends FakeSchemas {
      override async byId(id: number): Promise<AvroType> {
        if (id === IDS.order) throw new ConnectionError('registry unreachable');
        return super.byId(id);
      }
    }
    const { sink, handler } = setup({ schemas: new FlakySchemas() });
    await sink.connect();
    const { frame } = await import('@ingest-mesh/avro');
    const order = sinkRecord({ id: 'o1', entityType: 'order', payload: frame(IDS.order, Buffer.from([0])), payloadSchemaId: IDS.order });
    const outcomes = await handler.handle([sinkRecord({ id: 'a' }), order, sinkRecord({ id: 'a', revision: 2 }), sinkRecord({ id: 'b' })], context());
    expect(outcomes[0]).toEqual({ status: 'done', effect: 'written' });
    for (const o of outcomes.slice(1)) expect(classify(errorOf(o))).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect(sink.applied).toEqual([{ key: 'acme:customer:a', revision: 1, op: 'upsert' }]);
  });

  it('opens the circuit after infrastructure failures; while open it waits instead of calling the sink, and aborting ends with CIRCUIT_OPEN', async () => {
    const { sink, circuit, handler } = setup();
    await sink.connect();
    sink.failWith = () => new ConnectionError('connection refused');
    for (let n = 0; n < 3; n++) await handler.handle([sinkRecord({ id: `f${n}` })], context());
    expect(circuit.state).toBe('open');
    const calls = sink.calls.length;

    const abort = new AbortController();
    const ctx = context(abort.signal);
    const pending = handler.handle([sinkRecord({ id: 'x' }), sinkRecord({ id: 'y' })], ctx);
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.calls.length).toBe(calls); // refused by the breaker, the sink is not called
    expect(ctx.heartbeat).toHaveBeenCalled(); // the partition stays ours while waiting
    abort.abort();
    const outcomes = await pending;
    for (const o of outcomes) {
      expect(errorOf(o)).toBeInstanceOf(CircuitOpenError);
      expect(classify(errorOf(o))).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
    }
    expect(handler.stats().circuitWaits).toBe(1);
  });

  it('resumes by itself: the half-open probe writes the round once the sink is back', async () => {
    const { sink, circuit, handler } = setup({ resetTimeoutMs: 40 });
    await sink.connect();
    sink.failWith = () => new ConnectionError('connection refused');
    for (let n = 0; n < 3; n++) await handler.handle([sinkRecord({ id: `f${n}` })], context());
    expect(circuit.state).toBe('open');
    sink.failWith = undefined;
    const outcomes = await handler.handle([sinkRecord({ id: 'p1' }), sinkRecord({ id: 'p2' })], context());
    expect(outcomes).toEqual([
      { status: 'done', effect: 'written' },
      { status: 'done', effect: 'written' },
    ]);
    expect(circuit.state).toBe('closed');
  });

  it('does not wait on a CircuitOpenError the sink throws from further down while its own circuit is closed', async () => {
    const { sink, circuit, handler } = setup();
    await sink.connect();
    const nested = new CircuitOpenError('circuit of the search cluster is open');
    sink.failWith = () => nested;
    const outcomes = await handler.handle([sinkRecord({ id: 'n1' })], context());
    expect(outcomes).toEqual([{ status: 'failed', error: nested }]);
    expect(circuit.state).toBe('closed');
  });

  it("passes the call's AbortSignal to the sink, aborted on shutdown", async () => {
    const { sink, handler } = setup();
    await sink.connect();
    const abort = new AbortController();
    let seen: AbortSignal | undefined;
    vi.spyOn(sink, 'writeBatch').mockImplementation(async (records, ctx) => {
      seen = ctx.signal;
      return records.map(() => ({ status: 'written' as const }));
    });
    await handler.handle([sinkRecord({ id: 's1' })], context(abort.signal));
    expect(seen?.aborted).toBe(false);
    abort.abort();
    expect(seen?.aborted).toBe(true);
  });

  it('returns one outcome per record for an empty or all-undecodable round without calling the sink', async () => {
    const { sink, handler } = setup();
    await sink.connect();
    expect(await handler.handle([], context())).toEqual([]);
    const records: InboundRecord[] = [inbound(Buffer.from('x')), inbound(null)];
    const outcomes = await handler.handle(records, context());
    expect(outcomes).toHaveLength(2);
    expect(sink.calls).toEqual([]);
  });
});
