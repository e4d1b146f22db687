// HTTP clients: the status code is the typed property. OpenSearch's ResponseError exposes it
// as `statusCode` and `meta.statusCode`; the schema registry client as `status`.
import { lookup, prop, stringProp, type Matcher, type Verdict } from './verdict.js';
import { SYSTEM_ERROR_CODES } from './node-errors.js';

function statusOf(err: object): number | undefined {
  const meta = prop(err, 'meta');
  const candidates = [prop(err, 'statusCode'), prop(err, 'status'), typeof meta === 'object' && meta !== null ? prop(meta, 'statusCode') : undefined];
  return candidates.find((value): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599);
}

const SYSTEM_CODE_IN_MESSAGE = new RegExp(`\\b(${Object.keys(SYSTEM_ERROR_CODES).join('|')})\\b`);

/**
 * The schema registry client (mappersmith) reports a request that never got an answer —
 * connection refused, DNS failure, its own timeout — as a response with status 400 whose
 * message is the original error's, and drops the original error. Only there do we read the message.
 */
function clientSideFailure(err: object): Verdict | undefined {
  const message = stringProp(err, 'message') ?? '';
  const systemCode = SYSTEM_CODE_IN_MESSAGE.exec(message)?.[1];
  if (systemCode !== undefined) return SYSTEM_ERROR_CODES[systemCode];
  return /\bTimeout \(\d+ms\)/.test(message) ? { code: 'SINK_TIMEOUT' } : undefined;
}

export function verdictForStatus(status: number): Verdict | undefined {
  if (status === 429) return { code: 'RATE_LIMITED' };
  if (status === 408 || status === 504) return { code: 'SINK_TIMEOUT' };
  if (status === 409) return { code: 'CONSTRAINT_VIOLATION' };
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE' };
  // Rejected credentials do not heal by waiting: fix the secret, then redrive.
  if (status === 401 || status === 403) return { code: 'CONNECTION_ERROR', retryable: false };
  if (status >= 500 && status <= 599) return { code: 'CONNECTION_ERROR' };
  return undefined;
}

export const matchHttpError: Matcher = (err) => {
  const status = statusOf(err);
  if (status === undefined) return undefined;
  if (status === 400) {
    const clientSide = clientSideFailure(err);
    if (clientSide !== undefined) return clientSide;
  }
  return verdictForStatus(status) ?? { code: 'INTERNAL_ERROR' };
};

/** @opensearch-project/opensearch transport errors, by class name (TimeoutError is in node-errors). */
const OPENSEARCH_BY_NAME: Readonly<Record<string, Verdict>> = {
  ConnectionError: { code: 'CONNECTION_ERROR' },
  NoLivingConnectionsError: { code: 'CONNECTION_ERROR' },
  RequestAbortedError: { code: 'SINK_TIMEOUT' },
};

export const matchOpenSearchTransportError: Matcher = (err) => {
  return lookup(OPENSEARCH_BY_NAME, stringProp(err, 'name'));
};
