import { CircuitOpenError, ConnectionError, ConstraintViolationError, RateLimitedError, SinkTimeoutError, ValidationError } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import { isInfrastructureFailure } from './infrastructure-failure.js';

describe('isInfrastructureFailure', () => {
  it('counts connection failures and timeouts of the downstream', () => {
    expect(isInfrastructureFailure(new ConnectionError('refused'))).toBe(true);
    expect(isInfrastructureFailure(new SinkTimeoutError('statement timeout'))).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' }))).toBe(true);
  });

  it('does not count data errors, rate limiting, an open circuit further down, or bugs', () => {
    expect(isInfrastructureFailure(new ValidationError('bad'))).toBe(false);
    expect(isInfrastructureFailure(new ConstraintViolationError('unique'))).toBe(false);
    expect(isInfrastructureFailure(new RateLimitedError('429'))).toBe(false);
    expect(isInfrastructureFailure(new CircuitOpenError('nested'))).toBe(false);
    expect(isInfrastructureFailure(new TypeError('x is undefined'))).toBe(false);
  });
});
