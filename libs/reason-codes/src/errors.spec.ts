import { describe, expect, it } from 'vitest';
import { REASON_CODES, REASON_CODE_LIST, isReasonCode, isRetryable, type ReasonCode } from './codes.js';
import * as errors from './errors.js';

const SUBCLASS_FOR: Record<ReasonCode, new (message: string) => errors.MeshError> = {
  SCHEMA_DRIFT: errors.SchemaDriftError,
  VALIDATION_FAIL: errors.ValidationError,
  OLDER_REVISION: errors.OlderRevisionError,
  SINK_TIMEOUT: errors.SinkTimeoutError,
  CONSTRAINT_VIOLATION: errors.ConstraintViolationError,
  CONNECTION_ERROR: errors.ConnectionError,
  RATE_LIMITED: errors.RateLimitedError,
  CIRCUIT_OPEN: errors.CircuitOpenError,
  INVALID_PAYLOAD: errors.InvalidPayloadError,
  UNKNOWN_ROUTE: errors.UnknownRouteError,
  UNKNOWN_ENTITY_TYPE: errors.UnknownEntityTypeError,
  UNKNOWN_TENANT: errors.UnknownTenantError,
  PAYLOAD_TOO_LARGE: errors.PayloadTooLargeError,
  INTERNAL_ERROR: errors.InternalError,
};

describe('reason codes', () => {
  it('has the retryable flags of the architecture contract', () => {
    const retryable = REASON_CODE_LIST.filter((code) => isRetryable(code));
    expect(retryable).toEqual(['SINK_TIMEOUT', 'CONNECTION_ERROR', 'RATE_LIMITED', 'CIRCUIT_OPEN']);
  });

  it('isReasonCode accepts exactly the codes', () => {
    expect(REASON_CODE_LIST.every(isReasonCode)).toBe(true);
    expect(['', 'sink_timeout', 'toString', 'constructor', 42, undefined].some(isReasonCode)).toBe(false);
  });
});

describe('MeshError subclasses', () => {
  it.each(REASON_CODE_LIST)('%s has one class carrying its code and retryable flag', (code) => {
    const err = new SUBCLASS_FOR[code]('boom');
    expect(err).toBeInstanceOf(errors.MeshError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(REASON_CODES[code].retryable);
    expect(err.name).toBe(SUBCLASS_FOR[code].name);
  });

  it('keeps cause, a retryable override and the extra fields', () => {
    const cause = new Error('socket hang up');
    const err = new errors.ConnectionError('sink down', { cause, retryable: false });
    expect(err.cause).toBe(cause);
    expect(err.retryable).toBe(false);
    const invalid = new errors.ValidationError('amount < 0', { field: 'amount', rule: 'min:0' });
    expect([invalid.field, invalid.rule]).toEqual(['amount', 'min:0']);
    expect(new errors.RateLimitedError('429', { retryAfterMs: 1500 }).retryAfterMs).toBe(1500);
  });

  it('never makes an INTERNAL_ERROR retryable, whatever is asked', () => {
    expect(new errors.MeshError('INTERNAL_ERROR', 'bug', { retryable: true }).retryable).toBe(false);
    // @ts-expect-error InternalError takes no retryable option
    expect(new errors.InternalError('bug', { retryable: true }).retryable).toBe(false);
  });
});
