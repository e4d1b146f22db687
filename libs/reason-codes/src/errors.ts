// One error class per failure kind: classification is a lookup on `code`, never a string match.
import { REASON_CODES, type ReasonCode } from './codes.js';

export interface MeshErrorOptions {
  cause?: unknown;
  /** Overrides the code's default, e.g. a CONNECTION_ERROR known to be permanent. */
  retryable?: boolean;
}

export class MeshError extends Error {
  readonly code: ReasonCode;
  readonly retryable: boolean;

  constructor(code: ReasonCode, message: string, options: MeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    // A bug stays a bug however often it is tried: INTERNAL_ERROR is never retryable.
    this.retryable = code === 'INTERNAL_ERROR' ? false : (options.retryable ?? REASON_CODES[code].retryable);
  }
}

export class SchemaDriftError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('SCHEMA_DRIFT', message, options);
  }
}

export class ValidationError extends MeshError {
  readonly field: string | undefined;
  readonly rule: string | undefined;
  constructor(message: string, options: MeshErrorOptions & { field?: string; rule?: string } = {}) {
    super('VALIDATION_FAIL', message, options);
    this.field = options.field;
    this.rule = options.rule;
  }
}

export class OlderRevisionError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('OLDER_REVISION', message, options);
  }
}

export class SinkTimeoutError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('SINK_TIMEOUT', message, options);
  }
}

export class ConstraintViolationError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('CONSTRAINT_VIOLATION', message, options);
  }
}

export class ConnectionError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('CONNECTION_ERROR', message, options);
  }
}

export class RateLimitedError extends MeshError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: MeshErrorOptions & { retryAfterMs?: number } = {}) {
    super('RATE_LIMITED', message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class CircuitOpenError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('CIRCUIT_OPEN', message, options);
  }
}

export class InvalidPayloadError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('INVALID_PAYLOAD', message, options);
  }
}

export class UnknownRouteError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('UNKNOWN_ROUTE', message, options);
  }
}

export class UnknownEntityTypeError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('UNKNOWN_ENTITY_TYPE', message, options);
  }
}

export class UnknownTenantError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('UNKNOWN_TENANT', message, options);
  }
}

export class PayloadTooLargeError extends MeshError {
  constructor(message: string, options?: MeshErrorOptions) {
    super('PAYLOAD_TOO_LARGE', message, options);
  }
}

/** A bug or an unclassified failure: never retryable (trying the same code again gives the same bug). */
export class InternalError extends MeshError {
  constructor(message: string, options: Pick<MeshErrorOptions, 'cause'> = {}) {
    super('INTERNAL_ERROR', message, { ...options, retryable: false });
  }
}
