import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { classify } from '@ingest-mesh/reason-codes';
import { isPerRecordError, sqlstateOf, toRecordError } from './pg-errors.js';

function dbError(code: string, fields: Partial<pg.DatabaseError> = {}) {
  const err = new pg.DatabaseError('server says no', 10, 'error');
  return Object.assign(err, { code, ...fields });
}

describe('pg errors', () => {
  it('reads the SQLSTATE of pg errors only', () => {
    expect(sqlstateOf(dbError('23505'))).toBe('23505');
    expect(sqlstateOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(sqlstateOf('23505')).toBeUndefined();
  });

  it('class 22 and 23 belong to a record; connection, timeout and the rest do not', () => {
    expect(isPerRecordError(dbError('23514'))).toBe(true);
    expect(isPerRecordError(dbError('23502'))).toBe(true);
    expect(isPerRecordError(dbError('22P02'))).toBe(true);
    for (const code of ['57014', '57P01', '08006', '40P01', '42P01', '53300']) expect(isPerRecordError(dbError(code))).toBe(false);
    expect(isPerRecordError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
  });

  it('a constraint error names the constraint and table, never the failing row detail', () => {
    const err = toRecordError(
      dbError('23505', { constraint: 'customers_email_key', table: 'customers', detail: 'Key (email)=(alice@example.com) already exists.' }),
      'customer c-1 revision 2 (tenant acme)',
    );
    expect(classify(err)).toMatchObject({ code: 'CONSTRAINT_VIOLATION', retryable: false });
    expect(err.message).toBe(
      'customer c-1 revision 2 (tenant acme) violates unique constraint "customers_email_key" on table customers (SQLSTATE 23505): server says no',
    );
    expect(classify(err).message).not.toContain('alice@example.com');
  });

  it('a not-null error without a constraint name names the column', () => {
    expect(toRecordError(dbError('23502', { column: 'status', table: 'orders' }), 'order o-1 revision 1 (tenant acme)').message).toContain(
      'violates not-null constraint on column "status" on table orders',
    );
  });

  it('a data exception is VALIDATION_FAIL with the column as field', () => {
    const err = toRecordError(dbError('22003', { column: 'qty' }), 'order o-1 revision 1 (tenant acme)');
    expect(classify(err).code).toBe('VALIDATION_FAIL');
    expect(err).toMatchObject({ field: 'qty', rule: 'sqlstate:22003' });
  });
});
