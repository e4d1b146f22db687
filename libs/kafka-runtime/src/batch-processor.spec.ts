// BatchProcessor's decisions, with in-memory fakes for the handler, DLQ and dedupe store.
import { BackpressureController } from '@ingest-mesh/backpressure';
import { dedupeKey, type IdempotencyStore, type ReserveOutcome } from '@ingest-mesh/idempotency';
import { ConnectionError, InvalidPayloadError, OlderRevisionError, RateLimitedError, ValidationError } from '@ingest-mesh/reason-codes';
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { describe, expect, it, vi } from 'vitest';
import { BatchProcessor, type BatchProcessorOptions } from './batch-processor.js';
import type { DeadLetter } from './dlq-publisher.js';
import type { InboundRecord, RecordHandler, RecordOutcome } from './handler.js';

function records(ids: string[]): InboundRecord[] {
  return ids.map((id, n) => ({
    topic: 't',
    partition: 0,
    message: {
      key: Buffer.from(id),
      value: Buffer.from(JSON.stringify({ id })),
      offset: String(n),
      timestamp: String(Date.now()),
      attributes: 0,
      headers: {},
    } as KafkaMessage,
  }));
}
const idOf = (r: InboundRecord) => r.message.key!.toString();
const dedupeKeyOf = (id: string) => dedupeKey({ tenant: 'acme', source: 's', entityType: 'e', id, revision: 1 });

class MemoryStore implements IdempotencyStore {
  done = new Set<string>();
  held = new Set<string>();
  calls: string[] = [];
  async reserve(keys: readonly string[]): Promise<ReserveOutcome[]> {
    this.calls.push(`reserve:${keys.length}`);
    return keys.map((k) => (this.done.has(k) ? 'duplicate' : this.held.has(k) ? 'in-flight' : (this.held.add(k), 'reserved')));
  }
  async commit(keys: readonly string[]): Promise<void> {
    this.calls.push(`commit:${keys.length}`);
    for (const k of keys) {
      this.held.delete(k);
      this.done.add(k);
    }
  }
  async release(keys: readonly string[]): Promise<void> {
    this.calls.push(`release:${keys.length}`);
    for (const k of keys) this.held.delete(k);
  }
  async close(): Promise<void> {}
}

function setup(
  handle: (batch: string[], attempt: number) => RecordOutcome[] | Promise<RecordOutcome[]>,
  extra: Omit<Partial<BatchProcessorOptions>, 'handler'> & { handler?: Partial<RecordHandler> } = {},
) {
  const calls: string[][] = [];
  const letters: DeadLetter[] = [];
  const sleeps: number[] = [];
  const counts: Record<string, number> = {};
  const { handler: handlerExtra, ...rest } = extra;
  const processor = new BatchProcessor({
    handler: {
      describe: (r) => ({ tenant: 'acme', dedupe: { tenant: 'acme', source: 's', entityType: 'e', id: idOf(r), revision: 1 } }),
      handle: async (batch, ctx) => {
        calls.push(batch.map(idOf));
        return handle(batch.map(idOf), ctx.attempt);
      },
      ...handlerExtra,
    },
    deadLetters: { publish: async (l) => void letters.push(...l) },
    backpressure: new BackpressureController({}),
    metrics: {
      records: (o, n = 1) => void (counts[o] = (counts[o] ?? 0) + n),
      dlq: () => undefined,
      retry: () => undefined,
      idempotencyHits: (n) => void (counts['hits'] = (counts['hits'] ?? 0) + n),
      lag: () => undefined,
    },
    logger: { warn: () => undefined, error: () => undefined },
    retryPolicy: { baseMs: 100, capMs: 1000, maxAttempts: 3 },
    exhaustedRetries: 'dlq',
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...rest,
  });
  const ctx = { signal: new AbortController().signal, heartbeat: async () => undefined };
  return { processor, calls, letters, sleeps, counts, ctx };
}

const done = (): RecordOutcome => ({ status: 'done' });

describe('BatchProcessor', () => {
  it('handles a clean batch in one call', async () => {
    const t = setup((b) => b.map(done));
    expect(await t.processor.process(records(['a', 'b', 'c']), t.ctx)).toBe(3);
    expect(t.calls).toEqual([['a', 'b', 'c']]);
    expect(t.letters).toEqual([]);
    expect(t.counts).toEqual({ written: 3 });
  });

  it('dead-letters a non-retryable failure and keeps going', async () => {
    const t = setup((b) => b.map((id) => (id === 'b' ? { status: 'failed', error: new ValidationError('bad amount', { field: 'amount' }) } : done())));
    expect(await t.processor.process(records(['a', 'b', 'c']), t.ctx)).toBe(3);
    expect(t.letters.map((l) => [idOf(l as InboundRecord), l.failure.code, l.failure.retryable, l.attempts, l.tenant])).toEqual([
      ['b', 'VALIDATION_FAIL', false, 1, 'acme'],
    ]);
    expect(t.counts).toEqual({ written: 2, dlq: 1 });
  });

  it("dead-letters a round's failures with one publish and one metrics update per reason", async () => {
    const publishes: number[] = [];
    const dlqCounts: [string, number][] = [];
    const counts: Record<string, number> = {};
    const ids = Array.from({ length: 300 }, (_, n) => `r${n}`);
    const t = setup(
      (b) =>
        b.map((id, n) =>
          n % 3 === 0
            ? done()
            : { status: 'failed', error: n % 3 === 1 ? new OlderRevisionError(`${id} revision 1 is older than revision 2`) : new ValidationError('bad') },
        ),
      {
        deadLetters: { publish: async (l) => void publishes.push(l.length) },
        metrics: {
          records: (o, n = 1) => void (counts[o] = (counts[o] ?? 0) + n),
          dlq: (reason, n = 1) => void dlqCounts.push([reason, n]),
          retry: () => undefined,
          idempotencyHits: () => undefined,
          lag: () => undefined,
        },
      },
    );
    expect(await t.processor.process(records(ids), t.ctx)).toBe(300);
    expect(publishes).toEqual([200]);
    expect(dlqCounts.sort()).toEqual([
      ['OLDER_REVISION', 100],
      ['VALIDATION_FAIL', 100],
    ]);
    expect(counts).toEqual({ written: 100, dlq: 200 });
  });

  it('retries from the first retryable failure, in order, after a backoff', async () => {
    const t = setup((b, attempt) => b.map((id) => (id === 'b' && attempt === 1 ? { status: 'failed', error: new ConnectionError('reset') } : done())));
    expect(await t.processor.process(records(['a', 'b', 'c']), t.ctx)).toBe(3);
    // c was handled in the first call but is handled again after b, so order per key holds.
    expect(t.calls).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(t.sleeps).toEqual([50]); // full jitter: 0.5 × min(1000, 100 × 2^0)
    expect(t.letters).toEqual([]);
    expect(t.counts.written).toBe(3);
  });

  it('dead-letters a record whose retries are exhausted, as retryable, then continues', async () => {
    const t = setup((b) => b.map((id) => (id === 'b' ? { status: 'failed', error: new ConnectionError('down') } : done())));
    expect(await t.processor.process(records(['a', 'b', 'c']), t.ctx)).toBe(3);
    expect(t.letters.map((l) => [idOf(l as InboundRecord), l.failure.code, l.failure.retryable, l.attempts])).toEqual([['b', 'CONNECTION_ERROR', true, 3]]);
    expect(t.calls).toEqual([['a', 'b', 'c'], ['b', 'c'], ['b', 'c'], ['c']]);
    expect(t.sleeps).toEqual([50, 100]);
  });

  it('waits as long as a RATE_LIMITED record asks (retryAfterMs), within the cap', async () => {
    let n = 0;
    const t = setup((b) =>
      b.map((id) => (id === 'b' && ++n <= 2 ? { status: 'failed', error: new RateLimitedError('429', { retryAfterMs: n === 1 ? 700 : 60_000 }) } : done())),
    );
    expect(await t.processor.process(records(['a', 'b']), t.ctx)).toBe(2);
    expect(t.sleeps).toEqual([700, 1000]); // not the jittered 50 and 100: what the sink asked, capped at capMs
  });

  it('blocks the partition on exhausted retries when told to, until shutdown', async () => {
    const abort = new AbortController();
    let n = 0;
    const t = setup(
      (b) => {
        if (++n === 6) abort.abort();
        return b.map((id) => (id === 'b' ? { status: 'failed', error: new ConnectionError('down') } : done()));
      },
      { exhaustedRetries: 'block' },
    );
    expect(await t.processor.process(records(['a', 'b', 'c']), { ...t.ctx, signal: abort.signal })).toBe(1);
    expect(t.letters).toEqual([]);
    expect(t.sleeps.every((ms) => ms <= 500)).toBe(true);
  });

  it('skips duplicates without calling the handler and keeps the store in step', async () => {
    const store = new MemoryStore();
    const first = setup((b) => b.map(done), { idempotency: store });
    await first.processor.process(records(['a', 'b']), first.ctx);
    const second = setup((b) => b.map((id) => (id === 'd' ? { status: 'failed', error: new ValidationError('no') } : done())), { idempotency: store });
    expect(await second.processor.process(records(['a', 'c', 'b', 'd']), second.ctx)).toBe(4);
    expect(second.calls).toEqual([['c', 'd']]);
    expect(second.counts).toEqual({ duplicate: 2, hits: 2, written: 1, dlq: 1 });
    // one round trip each: reserve the batch, commit what was written, release what was dead-lettered
    expect(store.calls).toEqual(['reserve:2', 'commit:2', 'reserve:4', 'commit:1', 'release:1']);
    expect(store.held.size).toBe(0);
  });

  it('treats the same identity twice in one batch as a duplicate of the first', async () => {
    const store = new MemoryStore();
    const t = setup((b) => b.map(done), { idempotency: store });
    expect(await t.processor.process(records(['a', 'b', 'a']), t.ctx)).toBe(3);
    expect(t.calls).toEqual([['a', 'b']]);
    expect(t.counts).toEqual({ hits: 1, written: 2, duplicate: 1 });
    expect(store.calls).toEqual(['reserve:2', 'commit:2']);
  });

  it('waits for a record another consumer holds, then takes it', async () => {
    const store = new MemoryStore();
    store.held.add((await import('@ingest-mesh/idempotency')).dedupeKey({ tenant: 'acme', source: 's', entityType: 'e', id: 'b', revision: 1 }));
    const t = setup((b) => b.map(done), {
      idempotency: store,
      sleep: async (ms) => {
        t.sleeps.push(ms);
        store.held.clear(); // the other owner's reservation expires
      },
    });
    expect(await t.processor.process(records(['a', 'b', 'c']), t.ctx)).toBe(3);
    expect(t.calls).toEqual([['a'], ['b', 'c']]);
  });

  it('waits as long as another consumer holds a record, counting no attempt and dead-lettering nothing', async () => {
    const store = new MemoryStore();
    store.held.add(dedupeKeyOf('b'));
    let waits = 0;
    const t = setup((b) => b.map(done), {
      idempotency: store,
      sleep: async (ms) => {
        t.sleeps.push(ms);
        if (++waits === 10) store.held.clear(); // a crashed owner's reservation expires, long after maxAttempts (3) backoffs
      },
    });
    const pauses: number[] = [];
    // With a caller that can pause the partition: the prefix is done, the rest comes again later.
    expect(await t.processor.process(records(['a', 'b', 'c']), { ...t.ctx, pause: (ms) => void pauses.push(ms) })).toBe(1);
    expect(pauses).toEqual([1000]);
    // Without one: waits in place until the record is free.
    expect(await t.processor.process(records(['b', 'c']), t.ctx)).toBe(2);
    expect(t.letters).toEqual([]);
    expect(t.counts).toEqual({ written: 3 });
  });

  it('dead-letters records describe() rejects, without handling them', async () => {
    const t = setup((b) => b.map(done), {
      handler: {
        describe: (r) => {
          if (idOf(r) === 'x') throw new InvalidPayloadError('not JSON');
          return {};
        },
      },
    });
    expect(await t.processor.process(records(['a', 'x', 'b']), t.ctx)).toBe(3);
    expect(t.calls).toEqual([['a', 'b']]);
    expect(t.letters.map((l) => l.failure.code)).toEqual(['INVALID_PAYLOAD']);
  });

  it('prepares the round once, before describe(), so describe() can use what prepare() fetched', async () => {
    const fetched = new Set<string>();
    const order: string[] = [];
    const store = new MemoryStore();
    const t = setup((b) => b.map(done), {
      idempotency: store,
      handler: {
        prepare: async (rs) => {
          order.push(`prepare:${rs.length}`);
          for (const r of rs) fetched.add(idOf(r));
        },
        describe: (r) => {
          order.push(`describe:${idOf(r)}`);
          return fetched.has(idOf(r)) ? { dedupe: { tenant: 'acme', source: 's', entityType: 'e', id: idOf(r), revision: 1 } } : {};
        },
      },
    });
    expect(await t.processor.process(records(['a', 'b']), t.ctx)).toBe(2);
    expect(order).toEqual(['prepare:2', 'describe:a', 'describe:b']);
    // Both got a dedupe identity from what prepare() fetched: a second delivery is a duplicate.
    expect(store.done.size).toBe(2);
    expect(await t.processor.process(records(['a', 'b']), t.ctx)).toBe(2);
    expect(t.counts['hits']).toBe(2);
    expect(t.calls).toEqual([['a', 'b']]);
  });

  it('goes on when prepare() throws: describe() runs on what it left', async () => {
    const t = setup((b) => b.map(done), {
      handler: {
        prepare: async () => {
          throw new ConnectionError('registry down');
        },
        describe: () => ({}),
      },
    });
    expect(await t.processor.process(records(['a', 'b']), t.ctx)).toBe(2);
    expect(t.calls).toEqual([['a', 'b']]);
    expect(t.letters).toEqual([]);
  });

  it("renews the round's reservations while the handler runs, and stops when the round is done", async () => {
    vi.useFakeTimers();
    try {
      const store = new MemoryStore();
      let finish!: () => void;
      const slow = new Promise<void>((resolve) => (finish = resolve));
      const t = setup(
        async (b) => {
          await slow;
          return b.map(done);
        },
        { idempotency: store, reservationRenewMs: 100 },
      );
      const processing = t.processor.process(records(['a', 'b']), t.ctx);
      await vi.advanceTimersByTimeAsync(350);
      // One reservation, then a renewal every 100 ms of the two held keys.
      expect(store.calls.filter((c) => c === 'reserve:2')).toHaveLength(4);
      finish();
      expect(await processing).toBe(2);
      const after = store.calls.length;
      await vi.advanceTimersByTimeAsync(500);
      expect(store.calls.length).toBe(after);
      expect(store.done.size).toBe(2);
      expect(store.held.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('treats a handler that throws as a failure of every record it was given', async () => {
    let n = 0;
    const t = setup((b) => {
      if (n++ === 0) throw new ConnectionError('pool exhausted');
      return b.map(done);
    });
    expect(await t.processor.process(records(['a', 'b']), t.ctx)).toBe(2);
    expect(t.calls).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('keeps retrying a DLQ produce that fails, and counts nothing twice', async () => {
    let failures = 1;
    const letters: DeadLetter[] = [];
    const t = setup((b) => b.map(() => ({ status: 'failed', error: new ValidationError('no') })), {
      deadLetters: {
        publish: async (l) => {
          if (failures-- > 0) throw new ConnectionError('broker down');
          letters.push(...l);
        },
      },
    });
    expect(await t.processor.process(records(['a']), t.ctx)).toBe(1);
    expect(letters).toHaveLength(1);
    expect(t.counts).toEqual({ dlq: 1 });
  });

  /** A processor in brownout (every low-priority record sampled) whose handler defers into `deferred`. */
  function inBrownout(describe: NonNullable<RecordHandler['describe']>) {
    const deferred: string[] = [];
    const backpressure = new BackpressureController({ random: () => 0 });
    backpressure.apply({ type: 'brownout', sampleRate: 1 });
    const t = setup((b) => b.map(done), { backpressure, handler: { describe, defer: async (rs) => void deferred.push(...rs.map(idOf)) } });
    return { t, deferred };
  }

  it('defers low-priority records during brownout instead of handling them', async () => {
    const { t, deferred } = inBrownout((r) => ({ priority: idOf(r).startsWith('low') ? 'low' : 'high' }));
    expect(await t.processor.process(records(['low1', 'high1', 'low2']), t.ctx)).toBe(3);
    expect(deferred).toEqual(['low1', 'low2']);
    expect(t.calls).toEqual([['high1']]);
    expect(t.counts).toEqual({ deferred: 2, written: 1 });
  });

  it('never defers a record its handler marks not deferrable, even low priority in brownout', async () => {
    const { t, deferred } = inBrownout((r) => ({ priority: 'low', deferrable: idOf(r) !== 'drained' }));
    expect(await t.processor.process(records(['low1', 'drained']), t.ctx)).toBe(2);
    expect(deferred).toEqual(['low1']);
    expect(t.calls).toEqual([['drained']]);
  });

  describe("a handler that says 'later'", () => {
    const later = (ms: number): RecordOutcome => ({ status: 'later', retryInMs: ms });

    it('returns the handled prefix and asks the caller to pause, with no attempt, retry or letter', async () => {
      const store = new MemoryStore();
      const t = setup((b) => b.map((id) => (id === 'c' ? later(250) : id === 'd' ? later(250) : done())), { idempotency: store });
      const pauses: number[] = [];
      expect(await t.processor.process(records(['a', 'b', 'c', 'd']), { ...t.ctx, pause: (ms) => void pauses.push(ms) })).toBe(2);
      expect(pauses).toEqual([250]);
      expect(t.letters).toEqual([]);
      expect(t.sleeps).toEqual([]);
      expect(t.counts).toEqual({ written: 2 });
      // a and b remembered; c and d released, so the next delivery can take them again.
      expect([...store.done].length).toBe(2);
      expect(store.held.size).toBe(0);
    });

    it('waits in place and goes on when the caller cannot pause', async () => {
      let round = 0;
      const t = setup((b) => {
        round += 1;
        return b.map((id) => (round === 1 && id === 'b' ? later(1200) : done()));
      });
      expect(await t.processor.process(records(['a', 'b', 'c']), t.ctx)).toBe(3);
      expect(t.calls).toEqual([
        ['a', 'b', 'c'],
        ['b', 'c'],
      ]);
      expect(t.sleeps.reduce((x, y) => x + y, 0)).toBe(1200);
      expect(t.counts).toEqual({ written: 3 });
    });

    it('hands the records after a later one to the handler again, in order', async () => {
      let round = 0;
      const t = setup((b) => {
        round += 1;
        return b.map((id) => (round === 1 && id === 'a' ? later(10) : done()));
      });
      expect(await t.processor.process(records(['a', 'b']), t.ctx)).toBe(2);
      expect(t.calls).toEqual([
        ['a', 'b'],
        ['a', 'b'],
      ]);
      expect(t.counts).toEqual({ written: 2 });
    });
  });

  it('tells the handler once of each record that became final, before returning, retrying a failed report', async () => {
    const settled: string[] = [];
    let failReport = true;
    const store = new MemoryStore();
    store.done.add(dedupeKeyOf('dup'));
    const t = setup((b) => b.map((id) => (id === 'bad' ? { status: 'failed', error: new ValidationError('no') } : done())), {
      idempotency: store,
      handler: {
        settled: async (rs) => {
          if (failReport) {
            failReport = false;
            throw new ConnectionError('redis down');
          }
          settled.push(...rs.map((r) => `${idOf(r.record)}:${r.final}`));
        },
      },
    });
    expect(await t.processor.process(records(['a', 'dup', 'bad']), t.ctx)).toBe(3);
    expect(settled).toEqual(['a:written', 'dup:duplicate', 'bad:dlq']);
    expect(t.sleeps).toHaveLength(1);
  });
});
