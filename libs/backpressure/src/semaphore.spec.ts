import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

/** Lets queued promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('grants up to the limit, then queues', async () => {
    const sem = new Semaphore(2);
    const a = await sem.acquire();
    const b = sem.tryAcquire();
    expect(b).toBeTypeOf('function');
    expect(sem.inFlight).toBe(2);
    expect(sem.tryAcquire()).toBeUndefined();
    let third = false;
    const c = sem.acquire().then((release) => {
      third = true;
      return release;
    });
    await settle();
    expect(third).toBe(false);
    expect(sem.waiting).toBe(1);
    a();
    const releaseC = await c;
    expect(third).toBe(true);
    expect(sem.inFlight).toBe(2);
    b?.();
    releaseC();
    expect(sem.inFlight).toBe(0);
  });

  it('serves waiters in arrival order', async () => {
    const sem = new Semaphore(1);
    const first = await sem.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((id) =>
      sem.acquire().then((release) => {
        order.push(id);
        return release;
      }),
    );
    first();
    for (const waiter of waiters) (await waiter)();
    expect(order).toEqual([1, 2, 3]);
  });

  it('tryAcquire does not jump the queue', async () => {
    const sem = new Semaphore(1);
    const held = sem.tryAcquire();
    const waiter = sem.acquire();
    held?.();
    expect(sem.tryAcquire()).toBeUndefined(); // the permit went to the waiter
    (await waiter)();
    expect(sem.inFlight).toBe(0);
  });

  it('release is idempotent', () => {
    const sem = new Semaphore(3);
    const a = sem.tryAcquire();
    const b = sem.tryAcquire();
    a?.();
    a?.();
    a?.();
    expect(sem.inFlight).toBe(1);
    b?.();
    expect(sem.inFlight).toBe(0);
  });

  it('shrinking the limit keeps current holders and admits nobody until inFlight drops below it', async () => {
    const sem = new Semaphore(4);
    const held = [0, 1, 2, 3].map(() => sem.tryAcquire());
    sem.setLimit(2);
    expect(sem.inFlight).toBe(4);
    expect(sem.tryAcquire()).toBeUndefined();
    let granted = false;
    const waiter = sem.acquire().then((release) => {
      granted = true;
      return release;
    });
    held[0]?.();
    held[1]?.();
    await settle();
    expect(granted).toBe(false); // inFlight 2 = limit
    held[2]?.();
    (await waiter)();
    expect(granted).toBe(true);
    held[3]?.();
    expect(sem.inFlight).toBe(0);
  });

  it('raising the limit admits waiters at once', async () => {
    const sem = new Semaphore(0);
    const waiters = [sem.acquire(), sem.acquire()];
    sem.setLimit(2);
    const releases = await Promise.all(waiters);
    expect(sem.inFlight).toBe(2);
    releases.forEach((release) => release());
  });

  it('an aborted waiter rejects with the reason and leaves the queue', async () => {
    const sem = new Semaphore(1);
    const held = sem.tryAcquire();
    const controller = new AbortController();
    const aborted = sem.acquire(controller.signal);
    const next = sem.acquire();
    controller.abort(new Error('deadline'));
    await expect(aborted).rejects.toThrow('deadline');
    expect(sem.waiting).toBe(1);
    held?.();
    (await next)();
    expect(sem.inFlight).toBe(0);
  });

  it('an already-aborted signal rejects without taking a permit', async () => {
    const sem = new Semaphore(1);
    await expect(sem.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(sem.inFlight).toBe(0);
  });

  it('aborting after the grant changes nothing', async () => {
    const sem = new Semaphore(1);
    const controller = new AbortController();
    const release = await sem.acquire(controller.signal);
    controller.abort();
    expect(sem.inFlight).toBe(1);
    release();
    expect(sem.inFlight).toBe(0);
  });

  it('rejects a limit that is not a non-negative integer', () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new Semaphore(1).setLimit(Number.NaN)).toThrow(RangeError);
  });
});
