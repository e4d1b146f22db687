// classify(err): why did this fail, and can trying again help? A lookup on typed properties
// of the real client errors (class name, SQLSTATE, system error code, HTTP status, kafkajs
// `retriable`), never a guess from the message except where a client leaves nothing else.
import { REASON_CODES, isReasonCode, type ReasonCode } from './codes.js';
import { boundedMessage } from './bounded-message.js';
import { matchBreakerError } from './breaker-errors.js';
import { matchHttpError, matchOpenSearchTransportError } from './http-errors.js';
import { matchKafkaError } from './kafka-errors.js';
import { matchAbortOrTimeout, matchSystemError } from './node-errors.js';
import { matchPlainMessage } from './plain-messages.js';
import { matchPostgresError } from './postgres-errors.js';
import { matchRedisError } from './redis-errors.js';
import { prop, type Matcher, type ResolvedVerdict } from './verdict.js';

export interface Classification {
  code: ReasonCode;
  retryable: boolean;
  /** The error's message and its causes' on one line, bounded for a DLQ header. */
  message: string;
}

/** First match wins: specific families before the generic code/status/name lookups. */
const MATCHERS: readonly Matcher[] = [
  matchBreakerError,
  matchKafkaError,
  matchPostgresError,
  matchSystemError,
  matchRedisError,
  matchHttpError,
  matchOpenSearchTransportError,
  matchAbortOrTimeout,
  matchPlainMessage,
];

/** Wrappers deeper than this are not followed (and a cyclic `cause` chain ends here). */
const MAX_CAUSE_DEPTH = 8;

const UNCLASSIFIED: ResolvedVerdict = { code: 'INTERNAL_ERROR', retryable: false };

/** A MeshError, or a copy of it from another build of this package (dist next to src). */
function isMeshErrorLike(err: object): err is { code: ReasonCode; retryable: boolean } {
  return isReasonCode(prop(err, 'code')) && typeof prop(err, 'retryable') === 'boolean';
}

function verdictOf(err: unknown, depth: number): ResolvedVerdict {
  if (typeof err !== 'object' || err === null || depth > MAX_CAUSE_DEPTH) return UNCLASSIFIED;
  if (isMeshErrorLike(err)) return { code: err.code, retryable: err.retryable };
  const classifyCause = (cause: unknown): ResolvedVerdict => verdictOf(cause, depth + 1);
  for (const match of MATCHERS) {
    const verdict = match(err, classifyCause);
    if (verdict !== undefined) return { code: verdict.code, retryable: verdict.retryable ?? REASON_CODES[verdict.code].retryable };
  }
  // A wrapper we do not know (`new Error('write failed', { cause })`, fetch's
  // TypeError('fetch failed', { cause: ECONNREFUSED })) fails for its cause's reason.
  return classifyCause(prop(err, 'cause'));
}

export function classify(err: unknown): Classification {
  return { ...verdictOf(err, 0), message: boundedMessage(err) };
}

const PROGRAMMER_ERROR_TYPES = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError] as const;

/**
 * A bug in our code (or a misuse of an API): retrying runs the same bug again, so it never is.
 * fetch() reports network failures as TypeError('fetch failed', { cause }); such an error is
 * classified by its cause and is not a programmer error.
 */
export function isProgrammerError(err: unknown): boolean {
  return PROGRAMMER_ERROR_TYPES.some((type) => err instanceof type) && verdictOf(err, 0).code === 'INTERNAL_ERROR';
}
