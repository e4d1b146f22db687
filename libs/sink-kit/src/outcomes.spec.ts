import { classify, ConnectionError, ConstraintViolationError, InternalError, OlderRevisionError } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import { toRecordOutcome, toRecordOutcomes } from './outcomes.js';
import type { SinkOutcome, SinkRecordIn } from './sink.js';

const record: SinkRecordIn = {
  key: 'acme:customer:c1',
  topic: 'sink.pg',
  partition: 0,
  offset: '5',
  tenant: 'acme',
  source: 'crm',
  entityType: 'customer',
  id: 'c1',
  revision: 3,
  occurredAt: new Date(0),
  priority: 'normal',
  op: 'upsert',
  payload: { id: 'c1' },
  payloadSchemaId: 1,
};

describe('toRecordOutcome', () => {
  it('written → done/written; noop → done/skipped', () => {
    expect(toRecordOutcome(record, { status: 'written' })).toEqual({ status: 'done', effect: 'written' });
    expect(toRecordOutcome(record, { status: 'noop', why: 'equal-revision' })).toEqual({ status: 'done', effect: 'skipped' });
    expect(toRecordOutcome(record, { status: 'noop' })).toEqual({ status: 'done', effect: 'skipped' });
  });

  it('older-revision → failed with OLDER_REVISION (non-retryable), naming both revisions', () => {
    const outcome = toRecordOutcome(record, { status: 'older-revision', currentRevision: 9 });
    expect(outcome.status).toBe('failed');
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(OlderRevisionError);
    expect(classify(error)).toMatchObject({ code: 'OLDER_REVISION', retryable: false });
    expect((error as Error).message).toContain('revision 3');
    expect((error as Error).message).toContain('revision 9');
    expect((error as Error).message).toContain('acme:customer:c1');
  });

  it("failed → failed with the sink's error as it is", () => {
    const constraint = new ConstraintViolationError('duplicate email');
    const down = new ConnectionError('connection refused');
    expect(toRecordOutcome(record, { status: 'failed', error: constraint })).toEqual({ status: 'failed', error: constraint });
    expect((toRecordOutcome(record, { status: 'failed', error: down }) as { error: unknown }).error).toBe(down);
  });

  it('an outcome without a known status fails as INTERNAL_ERROR', () => {
    const outcome = toRecordOutcome(record, { status: 'maybe' } as unknown as SinkOutcome);
    expect((outcome as { error: unknown }).error).toBeInstanceOf(InternalError);
  });
});

describe('toRecordOutcomes', () => {
  it('maps one outcome per record, in order', () => {
    const other = { ...record, id: 'c2', revision: 1 };
    expect(toRecordOutcomes('pg', [record, other], [{ status: 'noop' }, { status: 'written' }])).toEqual([
      { status: 'done', effect: 'skipped' },
      { status: 'done', effect: 'written' },
    ]);
  });

  it('fails every record with INTERNAL_ERROR when the sink returns the wrong number of outcomes', () => {
    const outcomes = toRecordOutcomes('pg', [record, record], [{ status: 'written' }]);
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) {
      expect(o.status).toBe('failed');
      expect((o as { error: Error }).error.message).toBe('sink pg returned 1 outcomes for 2 records');
    }
  });
});
