// classify() on the error classes of the real client libraries, constructed the way the
// libraries construct them (shapes checked against errors the live servers produce).
import { createRequire } from 'node:module';
import { errors as openSearchErrors } from '@opensearch-project/opensearch';
import { ReplyError } from 'ioredis';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors/index.js';
import kafkajs from 'kafkajs';
import CircuitBreaker from 'opossum';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';

const require = createRequire(import.meta.url);
// kafkajs builds every broker error from this table (src/protocol/error.js).
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode(code: number): Error };
// The redis-errors copy that ioredis itself throws from.
const redisErrors = createRequire(require.resolve('ioredis'))('redis-errors') as { AbortError: new (message: string) => Error };

const { KafkaJSConnectionError, KafkaJSRequestTimeoutError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;
// kafkajs' type declarations miss this class and declare some constructors without the
// message argument their implementations read (src/errors.js); these are the real classes.
const kafkajsClasses = kafkajs as unknown as Record<
  'KafkaJSConnectionClosedError' | 'KafkaJSBrokerNotFound' | 'KafkaJSSASLAuthenticationError',
  new (message: string, metadata?: object) => Error
>;
const ClusterAllFailedError = (require('ioredis/built/errors/ClusterAllFailedError.js') as typeof import('ioredis/built/errors/ClusterAllFailedError.js'))
  .default;

function codeOf(err: unknown) {
  const { code, retryable } = classify(err);
  return { code, retryable };
}

describe('kafkajs', () => {
  const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092', code: 'ECONNREFUSED' });

  it('connection errors are CONNECTION_ERROR, retryable', () => {
    expect(codeOf(refused)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    expect(codeOf(new kafkajsClasses.KafkaJSConnectionClosedError('Closed connection', { host: '127.0.0.1', port: 9092 }))).toEqual({
      code: 'CONNECTION_ERROR',
      retryable: true,
    });
    expect(codeOf(new kafkajsClasses.KafkaJSBrokerNotFound('Broker 1 not found in the cached metadata'))).toEqual({
      code: 'CONNECTION_ERROR',
      retryable: true,
    });
  });

  it('request timeouts are SINK_TIMEOUT', () => {
    expect(
      codeOf(
        new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out', {
          broker: '127.0.0.1:9092',
          clientId: 'sink-postgres',
          correlationId: 4,
          createdAt: 0,
          sentAt: 0,
          pendingDuration: 0,
        }),
      ),
    ).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
  });

  it('gave-up-retrying takes the code of the error kafkajs retried', () => {
    // What producer.connect() rejects with when the broker is down (seen against a closed port).
    const gaveUp = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 3000 });
    expect(gaveUp.retriable).toBe(false); // kafkajs is done retrying; we are not
    expect(codeOf(gaveUp)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    const timedOut = new KafkaJSNumberOfRetriesExceeded(new KafkaJSProtocolError(createErrorFromCode(7)), { retryCount: 5, retryTime: 3000 });
    expect(codeOf(timedOut)).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
  });

  it('broker protocol errors go by type, then by retriable', () => {
    expect(codeOf(createErrorFromCode(10))).toEqual({ code: 'PAYLOAD_TOO_LARGE', retryable: false }); // MESSAGE_TOO_LARGE
    expect(codeOf(createErrorFromCode(18))).toEqual({ code: 'PAYLOAD_TOO_LARGE', retryable: false }); // RECORD_LIST_TOO_LARGE
    expect(codeOf(createErrorFromCode(7))).toEqual({ code: 'SINK_TIMEOUT', retryable: true }); // REQUEST_TIMED_OUT
    expect(codeOf(createErrorFromCode(6))).toEqual({ code: 'CONNECTION_ERROR', retryable: true }); // NOT_LEADER_FOR_PARTITION: leader moving
    expect(codeOf(createErrorFromCode(29))).toEqual({ code: 'CONNECTION_ERROR', retryable: false }); // TOPIC_AUTHORIZATION_FAILED
    expect(codeOf(createErrorFromCode(21))).toEqual({ code: 'INTERNAL_ERROR', retryable: false }); // INVALID_REQUIRED_ACKS: our config
    // An idempotent producer's state lost by the broker (kafkajs calls these not retriable): the round is tried again.
    expect(codeOf(createErrorFromCode(45))).toEqual({ code: 'CONNECTION_ERROR', retryable: true }); // OUT_OF_ORDER_SEQUENCE_NUMBER
    expect(codeOf(createErrorFromCode(59))).toEqual({ code: 'CONNECTION_ERROR', retryable: true }); // UNKNOWN_PRODUCER_ID
    expect(codeOf(createErrorFromCode(47))).toEqual({ code: 'CONNECTION_ERROR', retryable: true }); // INVALID_PRODUCER_EPOCH
  });

  it('SASL authentication failures are not retryable', () => {
    expect(codeOf(new kafkajsClasses.KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed'))).toEqual({
      code: 'CONNECTION_ERROR',
      retryable: false,
    });
  });
});

describe('PostgreSQL (pg DatabaseError)', () => {
  function databaseError(sqlstate: string, message: string) {
    const err = new pg.DatabaseError(message, message.length, 'error');
    err.code = sqlstate;
    err.severity = 'ERROR';
    return err;
  }

  it.each([
    ['23505', 'duplicate key value violates unique constraint "t_pkey"', 'CONSTRAINT_VIOLATION', false],
    ['23502', 'null value in column "n" violates not-null constraint', 'CONSTRAINT_VIOLATION', false],
    ['23503', 'insert or update violates foreign key constraint', 'CONSTRAINT_VIOLATION', false],
    ['22P02', 'invalid input syntax for type integer: "x"', 'VALIDATION_FAIL', false],
    ['22001', 'value too long for type character varying(3)', 'VALIDATION_FAIL', false],
    ['57014', 'canceling statement due to statement timeout', 'SINK_TIMEOUT', true],
    ['55P03', 'could not obtain lock on row in relation "t"', 'SINK_TIMEOUT', true],
    ['40P01', 'deadlock detected', 'SINK_TIMEOUT', true],
    ['40001', 'could not serialize access due to concurrent update', 'SINK_TIMEOUT', true],
    ['08006', 'connection failure', 'CONNECTION_ERROR', true],
    ['57P01', 'terminating connection due to administrator command', 'CONNECTION_ERROR', true],
    ['57P03', 'the database system is starting up', 'CONNECTION_ERROR', true],
    ['25006', 'cannot execute INSERT in a read-only transaction', 'CONNECTION_ERROR', true],
    ['53300', 'sorry, too many clients already', 'RATE_LIMITED', true],
    ['28P01', 'password authentication failed for user "mesh"', 'CONNECTION_ERROR', false],
    ['42P01', 'relation "nope" does not exist', 'INTERNAL_ERROR', false],
    ['XX000', 'internal error', 'INTERNAL_ERROR', false],
  ])('SQLSTATE %s (%s) is %s, retryable=%s', (sqlstate, message, code, retryable) => {
    expect(codeOf(databaseError(sqlstate, message))).toEqual({ code, retryable });
  });

  it.each([
    ['Connection terminated unexpectedly', 'CONNECTION_ERROR'],
    ['Client was closed and is not queryable', 'CONNECTION_ERROR'],
    ['timeout exceeded when trying to connect', 'CONNECTION_ERROR'],
    ['Query read timeout', 'SINK_TIMEOUT'],
  ])('pg signals "%s" with a bare Error: %s', (message, code) => {
    expect(classify(new Error(message)).code).toBe(code);
  });

  it('does not read those messages off anything but a bare Error', () => {
    class ReportError extends Error {}
    expect(classify(new ReportError('Query read timeout')).code).toBe('INTERNAL_ERROR');
  });
});

describe('ioredis', () => {
  it('MaxRetriesPerRequestError (Redis unreachable) is CONNECTION_ERROR', () => {
    expect(codeOf(new MaxRetriesPerRequestError(20))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    expect(codeOf(new ClusterAllFailedError('Failed to refresh slots cache.', new Error('x')))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });

  it('a command aborted because the connection closed is CONNECTION_ERROR, not a timeout', () => {
    // ioredis built/redis/event_handler.js abortError()
    const aborted = Object.assign(new redisErrors.AbortError('Command aborted due to connection close'), { command: { name: 'set', args: ['k', 'v'] } });
    expect(aborted.name).toBe('AbortError');
    expect(codeOf(aborted)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });

  it.each([
    ['LOADING Redis is loading the dataset in memory', 'CONNECTION_ERROR', true],
    ["READONLY You can't write against a read only replica.", 'CONNECTION_ERROR', true],
    ['BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.', 'SINK_TIMEOUT', true],
    ["OOM command not allowed when used memory > 'maxmemory'.", 'RATE_LIMITED', true],
    ['NOAUTH Authentication required.', 'CONNECTION_ERROR', false],
    ['WRONGPASS invalid username-password pair or user is disabled.', 'CONNECTION_ERROR', false],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'INTERNAL_ERROR', false],
    ["ERR unknown command 'NOPE'", 'INTERNAL_ERROR', false],
  ])('ReplyError "%s" is %s, retryable=%s', (message, code, retryable) => {
    expect(codeOf(new ReplyError(message))).toEqual({ code, retryable });
  });

  it('"Connection is closed." and "Command timed out" (bare Errors) are classified', () => {
    expect(classify(new Error('Connection is closed.')).code).toBe('CONNECTION_ERROR');
    expect(classify(new Error('Command timed out')).code).toBe('SINK_TIMEOUT');
  });
});

describe('opossum', () => {
  it('an open breaker rejects with CIRCUIT_OPEN', async () => {
    const breaker = new CircuitBreaker(async () => 'never called');
    breaker.open();
    try {
      const rejection = await breaker.fire().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect((rejection as { code?: string }).code).toBe('EOPENBREAKER');
      expect(codeOf(rejection)).toEqual({ code: 'CIRCUIT_OPEN', retryable: true });
    } finally {
      breaker.shutdown();
    }
  });

  it('a breaker timeout is SINK_TIMEOUT', async () => {
    let release: () => void = () => undefined;
    const breaker = new CircuitBreaker(() => new Promise<void>((resolve) => (release = resolve)), { timeout: 1 });
    try {
      const rejection = await breaker.fire().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect((rejection as { code?: string }).code).toBe('ETIMEDOUT');
      expect(codeOf(rejection)).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
    } finally {
      release();
      breaker.shutdown();
    }
  });

  it('a full breaker (capacity) is RATE_LIMITED; a shut-down one CIRCUIT_OPEN', async () => {
    let release: () => void = () => undefined;
    const breaker = new CircuitBreaker(() => new Promise<void>((resolve) => (release = resolve)), { capacity: 1 });
    const first = breaker.fire();
    const second = await breaker.fire().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((second as { code?: string }).code).toBe('ESEMLOCKED');
    expect(classify(second).code).toBe('RATE_LIMITED');
    release();
    await first;
    breaker.shutdown();
    const afterShutdown = await breaker.fire().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((afterShutdown as { code?: string }).code).toBe('ESHUTDOWN');
    expect(classify(afterShutdown).code).toBe('CIRCUIT_OPEN');
  });
});

describe('@opensearch-project/opensearch', () => {
  function responseError(status: number, type: string) {
    const body = { error: { type, reason: type, root_cause: [{ type, reason: type }] }, status };
    const meta = { body, statusCode: status, headers: {}, warnings: null, meta: {} };
    return new openSearchErrors.ResponseError(meta as unknown as ConstructorParameters<typeof openSearchErrors.ResponseError>[0]);
  }

  it.each([
    [429, 'es_rejected_execution_exception', 'RATE_LIMITED', true],
    [409, 'version_conflict_engine_exception', 'CONSTRAINT_VIOLATION', false],
    [413, 'content_too_long_exception', 'PAYLOAD_TOO_LARGE', false],
    [504, 'gateway_timeout', 'SINK_TIMEOUT', true],
    [503, 'cluster_block_exception', 'CONNECTION_ERROR', true],
    [403, 'security_exception', 'CONNECTION_ERROR', false],
    [404, 'index_not_found_exception', 'INTERNAL_ERROR', false],
    [400, 'parsing_exception', 'INTERNAL_ERROR', false],
  ])('ResponseError %i %s is %s, retryable=%s', (status, type, code, retryable) => {
    const err = responseError(status, type);
    expect(err.statusCode).toBe(status);
    expect(codeOf(err)).toEqual({ code, retryable });
  });

  it('transport errors: connection, no living connections, timeout, aborted', () => {
    expect(classify(new openSearchErrors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200', undefined as never)).code).toBe('CONNECTION_ERROR');
    expect(classify(new openSearchErrors.NoLivingConnectionsError('no living connections', undefined as never)).code).toBe('CONNECTION_ERROR');
    expect(classify(new openSearchErrors.TimeoutError('Request timed out', undefined as never)).code).toBe('SINK_TIMEOUT');
    expect(classify(new openSearchErrors.RequestAbortedError('Request aborted', undefined as never)).code).toBe('SINK_TIMEOUT');
  });
});
