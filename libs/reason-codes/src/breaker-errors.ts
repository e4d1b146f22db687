// opossum rejects with plain Errors tagged by `code` (lib/circuit.js buildError).
import { lookup, stringProp, type Matcher, type Verdict } from './verdict.js';

const BREAKER_CODES: Readonly<Record<string, Verdict>> = {
  EOPENBREAKER: { code: 'CIRCUIT_OPEN' },
  // A breaker that was shut down rejects every call, like an open one, until the app restarts.
  ESHUTDOWN: { code: 'CIRCUIT_OPEN' },
  // The breaker's concurrency limit (`capacity`) is full: the call was refused, not failed.
  ESEMLOCKED: { code: 'RATE_LIMITED' },
};

export const matchBreakerError: Matcher = (err) => lookup(BREAKER_CODES, stringProp(err, 'code'));
