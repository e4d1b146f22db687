// Some clients signal connection trouble with a bare `new Error(message)`: no code, no class.
// For those only, the exact message is the identity. Each entry names its source line.
import type { Matcher, Verdict } from './verdict.js';
import { stringProp } from './verdict.js';

const CONNECTION: Verdict = { code: 'CONNECTION_ERROR' };
const TIMEOUT: Verdict = { code: 'SINK_TIMEOUT' };

const BY_MESSAGE: ReadonlyMap<string, Verdict> = new Map([
  // pg lib/client.js
  ['Connection terminated unexpectedly', CONNECTION],
  ['Connection terminated', CONNECTION],
  ['Client has encountered a connection error and is not queryable', CONNECTION],
  ['Client was closed and is not queryable', CONNECTION],
  ['Query read timeout', TIMEOUT], // query_timeout: the server did not answer in time
  // pg-pool index.js
  ['Connection terminated due to connection timeout', CONNECTION],
  ['timeout exceeded when trying to connect', CONNECTION], // connectionTimeoutMillis while waiting for a client
  // ioredis built/utils CONNECTION_CLOSED_ERROR_MSG, built/Redis.js, built/Command.js
  ['Connection is closed.', CONNECTION],
  ["Stream isn't writeable and enableOfflineQueue options is false", CONNECTION],
  ['Command timed out', TIMEOUT], // commandTimeout
]);

export const matchPlainMessage: Matcher = (err) => {
  // Only bare Errors: a subclass with the same words is someone else's failure.
  if (Object.getPrototypeOf(err) !== Error.prototype) return undefined;
  const message = stringProp(err, 'message');
  return message === undefined ? undefined : BY_MESSAGE.get(message);
};
