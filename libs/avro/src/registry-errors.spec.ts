import { ConnectionError, InternalError, SchemaDriftError } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import { registryFailure, statusOf } from './registry-errors.js';

// Shaped like the registry client's ResponseError (its class is not exported).
function responseError(status: number, message: string): Error {
  return Object.assign(new Error(`Confluent_Schema_Registry - ${message}`), { name: 'ResponseError', status });
}

describe('registryFailure', () => {
  it('makes "no answer" (status 400 carrying ECONNREFUSED) a retryable ConnectionError', () => {
    const err = registryFailure(responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'), 'looking up x');
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^schema registry unavailable while looking up x: .*ECONNREFUSED/);
  });

  it('makes 5xx and timeouts retryable ConnectionErrors and rejected credentials a permanent one', () => {
    expect(registryFailure(responseError(503, 'unavailable'), 'x')).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect(registryFailure(responseError(400, 'Error, status 400: Timeout (5000ms)'), 'x')).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
    expect(registryFailure(responseError(401, 'unauthorized'), 'x')).toMatchObject({ code: 'CONNECTION_ERROR', retryable: false });
  });

  it('keeps mesh errors and makes anything else an InternalError', () => {
    const drift = new SchemaDriftError('x');
    expect(registryFailure(drift, 'x')).toBe(drift);
    expect(registryFailure(responseError(400, 'bad request'), 'x')).toBeInstanceOf(InternalError);
  });

  it('reads the status of a client error', () => {
    expect(statusOf(responseError(404, 'nope'))).toBe(404);
    expect(statusOf(new Error('x'))).toBeUndefined();
    expect(statusOf(undefined)).toBeUndefined();
  });
});
