// Node.js system errors (net, dns, undici) carry a stable `code`; aborts and timeouts from
// AbortSignal carry a stable `name`. Both are lookups, never message matching.
import { lookup, prop, stringProp, type Matcher, type Verdict } from './verdict.js';

const CONNECTION: Verdict = { code: 'CONNECTION_ERROR' };
const TIMEOUT: Verdict = { code: 'SINK_TIMEOUT' };

export const SYSTEM_ERROR_CODES: Readonly<Record<string, Verdict>> = {
  ECONNREFUSED: CONNECTION,
  ECONNRESET: CONNECTION,
  ECONNABORTED: CONNECTION,
  EPIPE: CONNECTION,
  ENOTFOUND: CONNECTION,
  EAI_AGAIN: CONNECTION,
  EHOSTUNREACH: CONNECTION,
  EHOSTDOWN: CONNECTION,
  ENETUNREACH: CONNECTION,
  ENETDOWN: CONNECTION,
  // undici (fetch) wraps these in TypeError('fetch failed', { cause }); see classify.ts.
  UND_ERR_SOCKET: CONNECTION,
  UND_ERR_CONNECT_TIMEOUT: CONNECTION,
  UND_ERR_HEADERS_TIMEOUT: TIMEOUT,
  UND_ERR_BODY_TIMEOUT: TIMEOUT,
  ESOCKETTIMEDOUT: TIMEOUT,
  ETIMEDOUT: TIMEOUT,
};

export const matchSystemError: Matcher = (err) => {
  const code = stringProp(err, 'code');
  // A connect() that timed out never reached the peer: that is reachability, not a slow sink.
  if (code === 'ETIMEDOUT' && stringProp(err, 'syscall') === 'connect') return CONNECTION;
  return lookup(SYSTEM_ERROR_CODES, code);
};

export const matchAbortOrTimeout: Matcher = (err) => {
  const name = stringProp(err, 'name');
  if (name === 'TimeoutError') return TIMEOUT;
  if (name !== 'AbortError') return undefined;
  // redis-errors' AbortError (ioredis) means "command dropped because the connection closed".
  return prop(err, 'command') !== undefined ? CONNECTION : TIMEOUT;
};
