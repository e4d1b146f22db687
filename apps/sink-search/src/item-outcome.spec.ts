import { ConnectionError, PayloadTooLargeError, RateLimitedError, ValidationError, classify } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import { conflictOutcome, currentVersionFromReason, itemVerdict } from './item-outcome.js';
import type { BulkItem } from './search-backend.js';

const index: BulkItem = { action: 'index', index: 'mesh-acme-customer', id: 'c1', version: 5, doc: {} };
const del: BulkItem = { action: 'delete', index: 'mesh-acme-customer', id: 'c1', version: 5 };

describe('itemVerdict', () => {
  it('2xx → written', () => {
    expect(itemVerdict(index, { status: 201, result: 'created' })).toEqual({ status: 'written' });
    expect(itemVerdict(index, { status: 200, result: 'updated' })).toEqual({ status: 'written' });
  });

  it('a delete of a missing document → written', () => {
    expect(itemVerdict(del, { status: 404, result: 'not_found' })).toEqual({ status: 'written' });
  });

  it('409 → conflict with the current version from the reason', () => {
    const reason = '[c1]: version conflict, current version [7] is higher or equal to the one provided [5]';
    expect(itemVerdict(index, { status: 409, errorType: 'version_conflict_engine_exception', errorReason: reason })).toEqual({
      status: 'conflict',
      currentVersion: 7,
    });
    expect(itemVerdict(index, { status: 409, errorType: 'version_conflict_engine_exception', errorReason: 'conflict' })).toEqual({
      status: 'conflict',
      currentVersion: undefined,
    });
  });

  it('429 → RATE_LIMITED, retryable', () => {
    const v = itemVerdict(index, { status: 429, errorType: 'es_rejected_execution_exception', errorReason: 'queue full' });
    expect(v.status === 'failed' && v.error).toBeInstanceOf(RateLimitedError);
    expect(v.status === 'failed' && classify(v.error).retryable).toBe(true);
  });

  it('mapping errors → VALIDATION_FAIL, not retryable', () => {
    for (const errorType of ['mapper_parsing_exception', 'illegal_argument_exception', 'document_parsing_exception']) {
      const v = itemVerdict(index, { status: 400, errorType, errorReason: 'failed to parse field [age] of type [long]' });
      expect(v.status === 'failed' && v.error).toBeInstanceOf(ValidationError);
      expect(v.status === 'failed' && classify(v.error)).toMatchObject({ code: 'VALIDATION_FAIL', retryable: false });
      expect(v.status === 'failed' && (v.error as Error).message).toContain('mesh-acme-customer/c1');
    }
  });

  it('5xx item errors → CONNECTION_ERROR, retryable', () => {
    const v = itemVerdict(index, { status: 503, errorType: 'unavailable_shards_exception', errorReason: 'primary shard is not active' });
    expect(v.status === 'failed' && v.error).toBeInstanceOf(ConnectionError);
    expect(v.status === 'failed' && classify(v.error)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: true });
  });

  it('413 → PAYLOAD_TOO_LARGE; 403 → CONNECTION_ERROR not retryable', () => {
    const big = itemVerdict(index, { status: 413 });
    expect(big.status === 'failed' && big.error).toBeInstanceOf(PayloadTooLargeError);
    const denied = itemVerdict(index, { status: 403, errorType: 'security_exception' });
    expect(denied.status === 'failed' && classify(denied.error)).toMatchObject({ code: 'CONNECTION_ERROR', retryable: false });
  });
});

describe('conflictOutcome', () => {
  it('equal → noop, higher → older-revision with it, unknown → a lower bound', () => {
    expect(conflictOutcome(5, 5)).toEqual({ status: 'noop', why: 'equal-revision' });
    expect(conflictOutcome(5, 9)).toEqual({ status: 'older-revision', currentRevision: 9 });
    expect(conflictOutcome(5, undefined)).toEqual({ status: 'older-revision', currentRevision: 6 });
  });

  it('reads the current version from the reason', () => {
    expect(currentVersionFromReason('[x]: version conflict, current version [12] is higher or equal to the one provided [3]')).toBe(12);
    expect(currentVersionFromReason(undefined)).toBeUndefined();
  });
});
