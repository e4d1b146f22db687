import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Semaphore, type Release } from './semaphore.js';

type Op =
  | { kind: 'acquire'; abortable: boolean }
  | { kind: 'tryAcquire' }
  | { kind: 'release'; pick: number }
  | { kind: 'abort'; pick: number }
  | { kind: 'setLimit'; limit: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('acquire' as const), abortable: fc.boolean() }),
  fc.record({ kind: fc.constant('tryAcquire' as const) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('setLimit' as const), limit: fc.integer({ min: 0, max: 6 }) }),
);

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Drives a real Semaphore and a plain reference model side by side: permits go to whoever
 * asked first, only while inFlight < limit; a released permit is released once.
 */
describe('Semaphore properties', () => {
  it('never grants beyond the limit, serves waiters FIFO, and matches the reference model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.array(op, { maxLength: 120 }), async (initialLimit, ops) => {
        const sem = new Semaphore(initialLimit);
        const grants: number[] = []; // ids in the order the real semaphore granted them
        const releases = new Map<number, Release>();
        const aborters = new Map<number, AbortController>();
        let nextId = 0;

        const model = { limit: initialLimit, inFlight: 0, queue: [] as number[], held: [] as number[], grants: [] as number[] };
        const modelGrant = () => {
          while (model.inFlight < model.limit && model.queue.length > 0) {
            const id = model.queue.shift() as number;
            model.inFlight += 1;
            model.held.push(id);
            model.grants.push(id);
          }
        };

        for (const o of ops) {
          const heldBefore = sem.inFlight;
          switch (o.kind) {
            case 'acquire': {
              const id = nextId++;
              const controller = o.abortable ? new AbortController() : undefined;
              if (controller) aborters.set(id, controller);
              sem.acquire(controller?.signal).then(
                (release) => {
                  grants.push(id);
                  releases.set(id, release);
                },
                () => undefined,
              );
              model.queue.push(id);
              modelGrant();
              break;
            }
            case 'tryAcquire': {
              const id = nextId++;
              const release = sem.tryAcquire();
              const modelCan = model.queue.length === 0 && model.inFlight < model.limit;
              expect(release !== undefined).toBe(modelCan);
              if (release) {
                grants.push(id);
                releases.set(id, release);
                model.inFlight += 1;
                model.held.push(id);
                model.grants.push(id);
              }
              break;
            }
            case 'release': {
              // Any id ever issued, so releasing twice and releasing an ungranted one both occur.
              const id = nextId === 0 ? 0 : o.pick % nextId;
              releases.get(id)?.();
              const at = model.held.indexOf(id);
              if (at >= 0) {
                model.held.splice(at, 1);
                model.inFlight -= 1;
                modelGrant();
              }
              break;
            }
            case 'abort': {
              const id = nextId === 0 ? 0 : o.pick % nextId;
              aborters.get(id)?.abort();
              const at = aborters.has(id) ? model.queue.indexOf(id) : -1;
              if (at >= 0) model.queue.splice(at, 1);
              break;
            }
            case 'setLimit':
              sem.setLimit(o.limit);
              model.limit = o.limit;
              modelGrant();
              break;
          }
          await settle();
          // Whenever permits were handed out, the holders fit the limit.
          if (sem.inFlight > heldBefore) expect(sem.inFlight).toBeLessThanOrEqual(sem.limit);
          expect(sem.inFlight).toBe(model.inFlight);
          expect(sem.waiting).toBe(model.queue.length);
          expect(grants).toEqual(model.grants);
        }
      }),
      { numRuns: 150 },
    );
  });
});
