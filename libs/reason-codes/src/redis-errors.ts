// ioredis: typed errors by class name; server replies (ReplyError) start with the Redis error
// prefix, which is the protocol's own error code (https://redis.io/docs/latest/develop/reference/protocol-spec/#simple-errors).
import { lookup, stringProp, type Matcher, type Verdict } from './verdict.js';

const CONNECTION: Verdict = { code: 'CONNECTION_ERROR' };

const BY_NAME: Readonly<Record<string, Verdict>> = {
  MaxRetriesPerRequestError: CONNECTION, // the connection stayed down for maxRetriesPerRequest reconnects
  ClusterAllFailedError: CONNECTION,
};

const BY_REPLY_PREFIX: Readonly<Record<string, Verdict>> = {
  LOADING: CONNECTION, // restarting: loading the dataset
  MASTERDOWN: CONNECTION,
  READONLY: CONNECTION, // talking to a replica after failover
  TRYAGAIN: CONNECTION,
  CLUSTERDOWN: CONNECTION,
  BUSY: { code: 'SINK_TIMEOUT' }, // a long script blocks the server
  OOM: { code: 'RATE_LIMITED' }, // maxmemory reached: back off until memory is freed
  NOAUTH: { code: 'CONNECTION_ERROR', retryable: false },
  WRONGPASS: { code: 'CONNECTION_ERROR', retryable: false },
  NOPERM: { code: 'CONNECTION_ERROR', retryable: false },
};

export const matchRedisError: Matcher = (err) => {
  const name = stringProp(err, 'name');
  const byName = lookup(BY_NAME, name);
  if (byName !== undefined || name !== 'ReplyError') return byName;
  const prefix = /^[A-Z]+/.exec(stringProp(err, 'message') ?? '')?.[0];
  // Any other reply (ERR, WRONGTYPE, NOSCRIPT…) is a command we got wrong: a bug.
  return lookup(BY_REPLY_PREFIX, prefix) ?? { code: 'INTERNAL_ERROR' };
};
