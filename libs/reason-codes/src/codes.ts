// The reason codes of the mesh: why a record failed, and whether trying again can help.
// Every code is documented in docs/reason-codes.md and is a symbol of schemas/mesh/ReasonCode.avsc.

import type { ReasonCode } from '@ingest-mesh/contracts';

export const REASON_CODES = {
  SCHEMA_DRIFT: { retryable: false, description: 'The payload matches no registered schema of its entity type.' },
  VALIDATION_FAIL: { retryable: false, description: 'The payload breaks a data-quality rule or a type of its schema.' },
  OLDER_REVISION: { retryable: false, description: 'A newer revision of the entity is already applied; this one must not overwrite it.' },
  SINK_TIMEOUT: { retryable: true, description: 'The sink did not answer in time (statement or request timeout).' },
  CONSTRAINT_VIOLATION: { retryable: false, description: 'The sink rejected the record on a constraint (unique, foreign key, check, not null).' },
  CONNECTION_ERROR: { retryable: true, description: 'The sink or a dependency could not be reached or dropped the connection.' },
  RATE_LIMITED: { retryable: true, description: 'The sink or a dependency asked us to slow down (HTTP 429, too many connections).' },
  CIRCUIT_OPEN: { retryable: true, description: 'The circuit breaker of the sink is open after repeated infrastructure failures.' },
  INVALID_PAYLOAD: { retryable: false, description: 'The bytes are neither JSON nor Confluent-framed Avro, or are not valid UTF-8.' },
  UNKNOWN_ROUTE: { retryable: false, description: 'No route sends this entity type (for this tenant) to any sink.' },
  UNKNOWN_ENTITY_TYPE: { retryable: false, description: 'The entity type has no schema subject in the registry.' },
  UNKNOWN_TENANT: { retryable: false, description: 'The tenant is not configured (no token, no routes).' },
  PAYLOAD_TOO_LARGE: { retryable: false, description: 'The record is larger than the configured maximum size.' },
  INTERNAL_ERROR: { retryable: false, description: 'An unexpected error, most likely a bug; the message and stack say where.' },
} as const satisfies Record<ReasonCode, { retryable: boolean; description: string }>;

export type { ReasonCode };

export const REASON_CODE_LIST = Object.freeze(Object.keys(REASON_CODES) as ReasonCode[]);

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REASON_CODES, value);
}

export function isRetryable(code: ReasonCode): boolean {
  return REASON_CODES[code].retryable;
}
