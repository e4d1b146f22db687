import { CircuitOpenError, ConnectionError, SinkTimeoutError, ValidationError } from '@ingest-mesh/reason-codes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SinkCircuit, type CircuitStateChange, type SinkCircuitOptions } from './sink-circuit.js';

const RESET_MS = 50;
const circuits: SinkCircuit[] = [];

function circuit(opts: Partial<SinkCircuitOptions> = {}): SinkCircuit {
  const c = new SinkCircuit({ name: 'postgres', resetTimeoutMs: RESET_MS, volumeThreshold: 5, errorThresholdPercentage: 50, ...opts });
  circuits.push(c);
  return c;
}

const down = () => Promise.reject(new ConnectionError('connect ECONNREFUSED 127.0.0.1:5432'));
const badRecord = () => Promise.reject(new ValidationError('amount must be >= 0', { field: 'amount' }));

async function failTimes(c: SinkCircuit, n: number, fn: () => Promise<never> = down): Promise<void> {
  for (let i = 0; i < n; i++) await expect(c.fire(fn)).rejects.toBeInstanceOf(Error);
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function openCircuit(c: SinkCircuit): Promise<void> {
  await failTimes(c, 5);
  expect(c.state).toBe('open');
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  for (const c of circuits.splice(0)) c.shutdown();
  vi.useRealTimers();
});

describe('SinkCircuit', () => {
  it('stays closed below the volume threshold and opens once volume and error rate are reached', async () => {
    const c = circuit();
    const opened = vi.fn();
    c.onOpen(opened);
    await failTimes(c, 4);
    expect(c.state).toBe('closed');
    expect(opened).not.toHaveBeenCalled();
    await failTimes(c, 1);
    expect(c.state).toBe('open');
    expect(opened).toHaveBeenCalledTimes(1);
    expect(c.stats()).toMatchObject({ failures: 5, successes: 0, rejects: 0 });
  });

  it('does not open while infrastructure failures stay at or below the error percentage', async () => {
    const c = circuit();
    for (let i = 0; i < 5; i++) {
      await c.fire(async () => 'ok');
      await expect(c.fire(down)).rejects.toBeInstanceOf(ConnectionError);
    }
    expect(c.state).toBe('closed'); // 50 % is not above 50 %
  });

  it('never opens on data errors, and rethrows them unchanged', async () => {
    const c = circuit();
    const err = new ValidationError('bad', { field: 'x' });
    for (let i = 0; i < 20; i++) await expect(c.fire(() => Promise.reject(err))).rejects.toBe(err);
    await failTimes(c, 20, () =>
      Promise.reject(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', severity: 'ERROR' })),
    );
    expect(c.state).toBe('closed');
    expect(c.stats()).toMatchObject({ failures: 0, dataErrors: 40 });
  });

  it('counts raw client errors by classification (a Node ECONNREFUSED opens it)', async () => {
    const c = circuit();
    const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }));
    await failTimes(c, 5, refused);
    expect(c.state).toBe('open');
  });

  it('when open, rejects at once with CIRCUIT_OPEN (retryable) without calling the thunk', async () => {
    const c = circuit();
    await openCircuit(c);
    const thunk = vi.fn(async () => 'never');
    const err = await c.fire(thunk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
    expect((err as Error).message).toContain('postgres');
    expect(thunk).not.toHaveBeenCalled();
    expect(c.stats().rejects).toBe(1);
  });

  it('goes half-open after the reset timeout and lets exactly one probe through; success closes it', async () => {
    const c = circuit();
    const halfOpened = vi.fn();
    const closed = vi.fn();
    c.onHalfOpen(halfOpened);
    c.onClose(closed);
    await openCircuit(c);

    await vi.advanceTimersByTimeAsync(RESET_MS - 1);
    expect(c.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(c.state).toBe('half-open');
    expect(halfOpened).toHaveBeenCalledTimes(1);

    const probe = deferred<string>();
    const probeCall = c.fire(() => probe.promise);
    const second = vi.fn(async () => 'second');
    await expect(c.fire(second)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(second).not.toHaveBeenCalled();

    probe.resolve('pong');
    await expect(probeCall).resolves.toBe('pong');
    expect(c.state).toBe('closed');
    expect(closed).toHaveBeenCalledTimes(1);
    await expect(c.fire(second)).resolves.toBe('second');
  });

  it('re-opens when the half-open probe fails, and probes again after another reset timeout', async () => {
    const c = circuit();
    const opened = vi.fn();
    c.onOpen(opened);
    await openCircuit(c);
    await vi.advanceTimersByTimeAsync(RESET_MS);
    expect(c.state).toBe('half-open');

    await expect(c.fire(down)).rejects.toBeInstanceOf(ConnectionError);
    expect(c.state).toBe('open');
    expect(opened).toHaveBeenCalledTimes(2);

    await vi.advanceTimersByTimeAsync(RESET_MS);
    expect(c.state).toBe('half-open');
  });

  it('closes when the half-open probe fails with a data error: the downstream answered', async () => {
    const c = circuit();
    await openCircuit(c);
    await vi.advanceTimersByTimeAsync(RESET_MS);
    await expect(c.fire(badRecord)).rejects.toBeInstanceOf(ValidationError);
    expect(c.state).toBe('closed');
  });

  it('reports every transition, in order, to onStateChange and then to the state hooks', async () => {
    const events: string[] = [];
    const changes: CircuitStateChange[] = [];
    const c = circuit({
      onStateChange: (change) => {
        changes.push(change);
        events.push(`change:${change.from}->${change.to}`);
      },
    });
    c.onOpen(() => events.push('open'));
    c.onHalfOpen(() => events.push('half-open'));
    c.onClose(() => events.push('close'));

    await openCircuit(c);
    await vi.advanceTimersByTimeAsync(RESET_MS);
    await c.fire(async () => 'ok');

    expect(events).toEqual(['change:closed->open', 'open', 'change:open->half-open', 'half-open', 'change:half-open->closed', 'close']);
    expect(changes.every((ch) => ch.name === 'postgres' && ch.at instanceof Date)).toBe(true);
  });

  it('stops calling a hook once its unsubscribe function has run, leaving other subscriptions', async () => {
    const c = circuit();
    const hook = vi.fn();
    const unsubscribeFirst = c.onOpen(hook);
    c.onOpen(hook);
    unsubscribeFirst();
    await openCircuit(c);
    expect(hook).toHaveBeenCalledTimes(1);
  });

  it('isolates a throwing hook: the call still settles and the error is reported', async () => {
    const hookErrors: unknown[] = [];
    const c = circuit({ onHookError: (err) => hookErrors.push(err) });
    c.onOpen(() => {
      throw new Error('metrics exporter broke');
    });
    await openCircuit(c);
    expect(hookErrors).toHaveLength(1);
    expect(String(hookErrors[0])).toContain('metrics exporter broke');
  });

  it('counts a failure when the predicate itself throws, and still settles the call', async () => {
    const hookErrors: unknown[] = [];
    const c = circuit({
      isInfrastructureFailure: () => {
        throw new TypeError('predicate bug');
      },
      onHookError: (err) => hookErrors.push(err),
    });
    await failTimes(c, 5, badRecord);
    expect(c.state).toBe('open');
    expect(hookErrors).toHaveLength(5);
  });

  it('times a call out after timeoutMs: SinkTimeoutError, the signal aborts, and it counts as a failure', async () => {
    const c = circuit({ timeoutMs: 100 });
    let seen: AbortSignal | undefined;
    const call = c.fire((signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    });
    const outcome = expect(call).rejects.toBeInstanceOf(SinkTimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await outcome;
    expect(seen?.aborted).toBe(true);
    expect(c.stats()).toMatchObject({ timeouts: 1, failures: 1 });
  });

  it('does not abort or time out calls that finish in time', async () => {
    const c = circuit({ timeoutMs: 100 });
    let seen: AbortSignal | undefined;
    await expect(
      c.fire(async (signal) => {
        seen = signal;
        return 42;
      }),
    ).resolves.toBe(42);
    await vi.advanceTimersByTimeAsync(200);
    expect(seen?.aborted).toBe(false);
    expect(c.stats()).toMatchObject({ successes: 1, timeouts: 0 });
  });

  it('can be opened and closed by hand', async () => {
    const c = circuit();
    c.open();
    expect(c.state).toBe('open');
    await expect(c.fire(async () => 1)).rejects.toBeInstanceOf(CircuitOpenError);
    c.close();
    await expect(c.fire(async () => 1)).resolves.toBe(1);
  });

  it('refuses every call after shutdown with CIRCUIT_OPEN and without running it', async () => {
    const c = circuit();
    c.shutdown();
    const thunk = vi.fn(async () => 1);
    await expect(c.fire(thunk)).rejects.toThrow(/shut down/);
    await expect(c.fire(thunk)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(thunk).not.toHaveBeenCalled();
    expect(c.isShutdown).toBe(true);
    expect(c.state).toBe('open');
  });
});
