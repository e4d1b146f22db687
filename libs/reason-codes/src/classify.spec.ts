// classify(): typed mesh errors, Node.js errors, wrappers, and the fallback.
import net from 'node:net';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { REASON_CODE_LIST, REASON_CODES } from './codes.js';
import { classify, isProgrammerError } from './classify.js';
import { ConnectionError, MeshError, RateLimitedError, ValidationError } from './errors.js';

/** A loopback port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('MeshError', () => {
  it.each(REASON_CODE_LIST)('%s keeps its code and default retryable flag', (code) => {
    const err = new MeshError(code, 'x');
    expect(classify(err)).toEqual({ code, retryable: REASON_CODES[code].retryable, message: 'MeshError: x' });
  });

  it('keeps an overridden retryable flag', () => {
    expect(classify(new ConnectionError('bad certificate', { retryable: false }))).toMatchObject({ code: 'CONNECTION_ERROR', retryable: false });
  });

  it('is recognised by shape, so a copy from another build of the package still counts', () => {
    const foreign = Object.assign(new Error('too fast'), { code: 'RATE_LIMITED', retryable: true });
    expect(classify(foreign)).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it('wins over its cause', () => {
    const err = new ValidationError('amount < 0', { field: 'amount', cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(classify(err).code).toBe('VALIDATION_FAIL');
  });
});

describe('Node.js system errors', () => {
  it('a refused TCP connection is CONNECTION_ERROR', async () => {
    const port = await closedPort();
    const err = await new Promise<Error>((resolve) => net.connect(port, '127.0.0.1').on('error', resolve));
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(classify(err)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
  });

  it.each([
    ['ECONNRESET', 'read', 'CONNECTION_ERROR'],
    ['EPIPE', 'write', 'CONNECTION_ERROR'],
    ['ENOTFOUND', 'getaddrinfo', 'CONNECTION_ERROR'],
    ['EAI_AGAIN', 'getaddrinfo', 'CONNECTION_ERROR'],
    ['EHOSTUNREACH', 'connect', 'CONNECTION_ERROR'],
    ['ETIMEDOUT', 'connect', 'CONNECTION_ERROR'],
    ['ETIMEDOUT', 'read', 'SINK_TIMEOUT'],
    ['ENOENT', 'open', 'INTERNAL_ERROR'],
  ])('%s from %s() is %s', (code, syscall, expected) => {
    // The shape Node gives system errors: a plain Error with code, errno and syscall.
    const err = Object.assign(new Error(`${syscall} ${code}`), { code, errno: -1, syscall });
    expect(classify(err).code).toBe(expected);
  });

  it("fetch's TypeError('fetch failed') is classified by its cause, and is no programmer error", async () => {
    const port = await closedPort();
    const err = await rejectionOf(fetch(`http://127.0.0.1:${port}/`));
    expect(err).toBeInstanceOf(TypeError);
    expect(classify(err)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect(isProgrammerError(err)).toBe(false);
  });

  it('AbortSignal timeouts and aborts are SINK_TIMEOUT', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
    expect(classify(signal.reason)).toMatchObject({ code: 'SINK_TIMEOUT', retryable: true });
    expect(classify(AbortSignal.abort().reason)).toMatchObject({ code: 'SINK_TIMEOUT', retryable: true });
  });
});

describe('schema registry client', () => {
  it('an unreachable registry (reported as HTTP 400) is CONNECTION_ERROR, not a client error', async () => {
    const port = await closedPort();
    const registry = new SchemaRegistry({ host: `http://127.0.0.1:${port}`, retry: { retries: 0 } });
    const err = await rejectionOf(registry.getLatestSchemaId('orders-value'));
    expect((err as { status?: number }).status).toBe(400);
    expect(classify(err)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
  });
});

describe('wrappers and the fallback', () => {
  it('an unknown wrapper fails for its cause’s reason', () => {
    const db = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    const wrapped = new Error('could not write batch', { cause: new Error('flush failed', { cause: db }) });
    expect(classify(wrapped)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect(classify(wrapped).message).toBe('could not write batch; caused by: flush failed; caused by: read ECONNRESET');
  });

  it('a cyclic cause chain ends in INTERNAL_ERROR', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(classify(a).code).toBe('INTERNAL_ERROR');
  });

  it.each([
    ['a plain Error', new Error('something odd')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { reason: 'x' }],
  ])('%s is INTERNAL_ERROR, not retryable', (_label, thrown) => {
    expect(classify(thrown)).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false });
  });

  it('never throws, even on an error whose properties throw', () => {
    const hostile = new Proxy(new Error('x'), {
      get() {
        throw new Error('no peeking');
      },
    });
    expect(classify(hostile)).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false });
  });

  it('RateLimitedError keeps RATE_LIMITED', () => {
    expect(classify(new RateLimitedError('slow down', { retryAfterMs: 500 }))).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });
});

describe('isProgrammerError', () => {
  it.each([
    ['TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['RangeError', new RangeError('Invalid array length')],
    ['ReferenceError', new ReferenceError('x is not defined')],
    ['SyntaxError', new SyntaxError('Unexpected token } in JSON')],
    ['EvalError', new EvalError('eval')],
    ['URIError', new URIError('URI malformed')],
  ])('%s is a programmer error, classified INTERNAL_ERROR', (_name, err) => {
    expect(isProgrammerError(err)).toBe(true);
    expect(classify(err)).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false });
  });

  it('real runtime TypeErrors count', () => {
    let caught: unknown;
    try {
      (undefined as unknown as { id: string }).id.toString();
    } catch (err) {
      caught = err;
    }
    expect(isProgrammerError(caught)).toBe(true);
  });

  it('mesh errors, infrastructure errors and non-errors do not', () => {
    expect(isProgrammerError(new ConnectionError('down'))).toBe(false);
    expect(isProgrammerError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isProgrammerError(new Error('plain'))).toBe(false);
    expect(isProgrammerError('TypeError')).toBe(false);
  });
});
