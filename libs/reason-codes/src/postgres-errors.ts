// PostgreSQL errors (pg's DatabaseError) carry the server's SQLSTATE in `code`:
// https://www.postgresql.org/docs/current/errcodes-appendix.html
import { lookup, stringProp, type Matcher, type Verdict } from './verdict.js';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Exact SQLSTATEs, checked before their class. */
const BY_SQLSTATE: Readonly<Record<string, Verdict>> = {
  '57014': { code: 'SINK_TIMEOUT' }, // query_canceled: statement_timeout or a cancel request
  '55P03': { code: 'SINK_TIMEOUT' }, // lock_not_available: lock_timeout expired
  // Transaction rollbacks the server asks us to retry; the statement waited on locks and lost.
  '40001': { code: 'SINK_TIMEOUT' }, // serialization_failure
  '40P01': { code: 'SINK_TIMEOUT' }, // deadlock_detected
  '57P01': { code: 'CONNECTION_ERROR' }, // admin_shutdown
  '57P02': { code: 'CONNECTION_ERROR' }, // crash_shutdown
  '57P03': { code: 'CONNECTION_ERROR' }, // cannot_connect_now (starting up, recovering)
  '57P05': { code: 'CONNECTION_ERROR' }, // idle_session_timeout
  '25P03': { code: 'CONNECTION_ERROR' }, // idle_in_transaction_session_timeout
  '25006': { code: 'CONNECTION_ERROR' }, // read_only_sql_transaction: connected to a standby after failover
};

/** SQLSTATE classes (first two characters). */
const BY_CLASS: Readonly<Record<string, Verdict>> = {
  '08': { code: 'CONNECTION_ERROR' }, // connection exception
  '22': { code: 'VALIDATION_FAIL' }, // data exception: bad value for the column type
  '23': { code: 'CONSTRAINT_VIOLATION' }, // integrity constraint violation
  // Bad credentials do not heal by waiting: fix the secret, then redrive.
  '28': { code: 'CONNECTION_ERROR', retryable: false }, // invalid authorization specification
  '53': { code: 'RATE_LIMITED' }, // insufficient resources: too many connections, out of memory, disk full
};

export const matchPostgresError: Matcher = (err) => {
  const sqlstate = stringProp(err, 'code');
  if (sqlstate === undefined || !SQLSTATE.test(sqlstate)) return undefined;
  return lookup(BY_SQLSTATE, sqlstate) ?? lookup(BY_CLASS, sqlstate.slice(0, 2));
};
