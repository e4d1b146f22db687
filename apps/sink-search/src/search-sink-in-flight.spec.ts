// SINK_SEARCH_MAX_IN_FLIGHT: bulk requests of concurrent batches (the runner's partitions) are
// bounded together. Observed with held bulks, no timing.
import { describe, expect, it } from 'vitest';
import { SearchSink } from './search-sink.js';
import { FakeBackend } from './test-support/fake-backend.js';
import { record } from './test-support/records.js';

const signal = new AbortController().signal;

/** Lets pending promise callbacks run until the backend has `n` bulks waiting. */
async function untilWaiting(backend: FakeBackend, n: number): Promise<void> {
  for (let i = 0; i < 100 && backend.waiting < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(backend.waiting).toBe(n);
}

async function waitingForPermit(sink: SearchSink): Promise<unknown> {
  return ((await sink.health()).details?.inFlight as { waiting: number }).waiting;
}

describe('SearchSink in-flight bound', () => {
  it('at most maxInFlight bulks at once across batches; the others wait their turn', async () => {
    const backend = new FakeBackend();
    const sink = new SearchSink({ backend, maxInFlight: 2 });
    backend.hold();
    const batches = ['a', 'b', 'c', 'd'].map((id) => sink.writeBatch([record({ id, revision: 1, partition: id.charCodeAt(0) })], { signal }));
    await untilWaiting(backend, 2);
    expect((await sink.health()).details).toMatchObject({ inFlight: { limit: 2, active: 2, waiting: 2 } });
    backend.release();
    const outcomes = await Promise.all(batches);
    expect(outcomes.flat().every((o) => o.status === 'written')).toBe(true);
    expect(backend.maxActive).toBe(2);
    expect(backend.bulks).toHaveLength(4);
    expect((await sink.health()).details).toMatchObject({ inFlight: { limit: 2, active: 0, waiting: 0 } });
  });

  it('defaults to 2; a waiting batch leaves when its signal aborts', async () => {
    const backend = new FakeBackend();
    const sink = new SearchSink({ backend });
    backend.hold();
    const first = [sink.writeBatch([record({ id: 'a', revision: 1 })], { signal }), sink.writeBatch([record({ id: 'b', revision: 1 })], { signal })];
    await untilWaiting(backend, 2);
    const aborter = new AbortController();
    const third = sink.writeBatch([record({ id: 'c', revision: 1 })], { signal: aborter.signal });
    for (let i = 0; i < 100 && (await waitingForPermit(sink)) === 0; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(await waitingForPermit(sink)).toBe(1);
    aborter.abort(new Error('shutting down'));
    await expect(third).rejects.toThrow('shutting down');
    expect(await waitingForPermit(sink)).toBe(0);
    backend.release();
    await Promise.all(first);
    expect(
      backend.bulks
        .flat()
        .map((i) => i.id)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('refuses a bound below 1', () => {
    expect(() => new SearchSink({ backend: new FakeBackend(), maxInFlight: 0 })).toThrow(RangeError);
  });
});
