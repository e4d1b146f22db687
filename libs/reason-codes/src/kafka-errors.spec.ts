// classify() on @platformatic/kafka's errors, constructed the way the client constructs them
// (network/connection.js, clients/base/base.js kPerformWithRetry, errors.js ResponseError).
// (kafkajs' errors are covered in classify-clients.spec.ts.)
import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';

function codeOf(err: unknown) {
  const { code, retryable } = classify(err);
  return { code, retryable };
}

/** The Produce API key: what a produce response error names. */
const PRODUCE = 0;

describe('@platformatic/kafka', () => {
  const refused = new NetworkError('Connection to 127.0.0.1:9092 failed.', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' }),
  });

  it('connection errors are CONNECTION_ERROR, retryable', () => {
    expect(codeOf(refused)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    expect(codeOf(new NetworkError('Connection closed'))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    // A closed client is not retried by the client itself; a new client (a restart) gets through.
    expect(codeOf(new NetworkError('Client is closed.', { canRetry: false, closed: true }))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });

  it('timeouts are SINK_TIMEOUT, although their instance code is the network one', () => {
    const timedOut = new TimeoutError('Request timed out', { canRetry: true });
    expect(timedOut.code).toBe('PLT_KFK_NETWORK');
    expect(codeOf(timedOut)).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
    expect(codeOf(new ProtocolError('REQUEST_TIMED_OUT'))).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
  });

  it('a record or a batch too large for the broker is PAYLOAD_TOO_LARGE, also inside a produce response', () => {
    expect(codeOf(new ProtocolError('MESSAGE_TOO_LARGE'))).toEqual({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    expect(codeOf(new ProtocolError('RECORD_LIST_TOO_LARGE'))).toEqual({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    expect(codeOf(new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    const response = new ResponseError(PRODUCE, 11, { '/responses/0/partitions/0': [10, 'too large'] }, {});
    expect(codeOf(response)).toEqual({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    expect(codeOf(new MultipleErrors('Producing messages failed.', [response]))).toEqual({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
  });

  it('authentication and authorization failures are CONNECTION_ERROR, not retryable', () => {
    expect(codeOf(new AuthenticationError('SASL authentication failed.'))).toEqual({ code: 'CONNECTION_ERROR', retryable: false });
    // How a connection reports SASL refusing the credentials (connection.js #onConnectionError).
    const rejected = new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: new AuthenticationError('SASL authentication failed.') });
    expect(codeOf(rejected)).toEqual({ code: 'CONNECTION_ERROR', retryable: false });
    expect(codeOf(new ProtocolError('TOPIC_AUTHORIZATION_FAILED'))).toEqual({ code: 'CONNECTION_ERROR', retryable: false });
    expect(codeOf(new ProtocolError('GROUP_AUTHORIZATION_FAILED'))).toEqual({ code: 'CONNECTION_ERROR', retryable: false });
    expect(codeOf(new ProtocolError('SASL_AUTHENTICATION_FAILED'))).toEqual({ code: 'CONNECTION_ERROR', retryable: false });
  });

  it('other broker errors go by canRetry', () => {
    expect(codeOf(new ProtocolError('NOT_LEADER_OR_FOLLOWER'))).toEqual({ code: 'CONNECTION_ERROR', retryable: true }); // leader moving
    expect(codeOf(new ProtocolError('INVALID_REQUIRED_ACKS'))).toEqual({ code: 'INTERNAL_ERROR', retryable: false }); // our config
  });

  it('gave-up-retrying takes the code of the errors the client retried', () => {
    // What kPerformWithRetry rejects with once its retries are spent.
    const gaveUp = new MultipleErrors('metadata failed 4 times.', [refused, refused, refused, refused]);
    expect(codeOf(gaveUp)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    const timedOut = new MultipleErrors('produce failed 2 times.', [
      new TimeoutError('Request timed out'),
      new UserError('Client closed while retrying produce.'),
    ]);
    expect(codeOf(timedOut)).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
  });

  it('misuse of the client is INTERNAL_ERROR', () => {
    expect(codeOf(new UserError('/options/messages/0 must have required property value.'))).toEqual({ code: 'INTERNAL_ERROR', retryable: false });
    expect(codeOf(new MultipleErrors('Nothing went right.', []))).toEqual({ code: 'INTERNAL_ERROR', retryable: false });
  });
});
