// Which PostgreSQL errors belong to one record (and are isolated to it) and which to the database
// (and are thrown so the runner retries, then the breaker opens).
//   class 23 integrity constraint violation → CONSTRAINT_VIOLATION (non-retryable)
//   class 22 data exception (a value the column type refuses: out of range, bad encoding)
//            → VALIDATION_FAIL (non-retryable)
// Everything else — connection loss (08xxx, 57P01), statement timeout (57014), deadlocks,
// a missing table — is not the record's fault and propagates unchanged.
import { ConstraintViolationError, ValidationError, type MeshError } from '@ingest-mesh/reason-codes';

const SQLSTATE = /^[0-9A-Z]{5}$/;

const CONSTRAINT_KINDS: Readonly<Record<string, string>> = {
  '23000': 'integrity constraint',
  '23001': 'restrict',
  '23502': 'not-null',
  '23503': 'foreign-key',
  '23505': 'unique',
  '23514': 'check',
  '23P01': 'exclusion',
};

export function sqlstateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

/** A failure caused by the values of one record: bisect the batch to find it. */
export function isPerRecordError(err: unknown): boolean {
  const cls = sqlstateOf(err)?.slice(0, 2);
  return cls === '22' || cls === '23';
}

interface PgErrorFields {
  message?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/**
 * The record's error for the DLQ, naming the constraint (or column) and table. The server's
 * `detail` ("Failing row contains (…)") is left out: it holds the row's values, personal data
 * included, and DLQ headers are read by people triaging.
 */
export function toRecordError(err: unknown, what: string): MeshError {
  const sqlstate = sqlstateOf(err) ?? '';
  const e = err as PgErrorFields;
  const where = e.table ? ` on table ${e.table}` : '';
  if (sqlstate.startsWith('23')) {
    const kind = CONSTRAINT_KINDS[sqlstate] ?? 'integrity';
    const name = e.constraint ? ` "${e.constraint}"` : e.column ? ` on column "${e.column}"` : '';
    return new ConstraintViolationError(`${what} violates ${kind} constraint${name}${where} (SQLSTATE ${sqlstate}): ${e.message ?? String(err)}`, {
      cause: err,
    });
  }
  const column = e.column ? ` column "${e.column}"` : '';
  return new ValidationError(`${what}: PostgreSQL refused a value${column}${where} (SQLSTATE ${sqlstate}): ${e.message ?? String(err)}`, {
    cause: err,
    ...(e.column ? { field: e.column } : {}),
    rule: `sqlstate:${sqlstate}`,
  });
}
