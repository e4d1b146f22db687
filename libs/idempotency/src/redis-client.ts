// An ioredis client that fails fast instead of hanging when Redis is down, so a fail-closed dedupe
// store turns an outage into a prompt, retryable error (and the runtime pauses) rather than a
// batch stuck for minutes in ioredis' offline queue and per-request retries.
import { ConnectionError } from '@ingest-mesh/reason-codes';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * The settings that make commands fail fast. createRedisClient always applies them; a client built
 * elsewhere and handed to RedisIdempotencyStore should use them too.
 * - enableOfflineQueue false: while disconnected (or still connecting / loading the dataset),
 *   a command is rejected at once instead of queued until the connection returns.
 * - maxRetriesPerRequest 0: a command in flight when the connection drops is rejected at once
 *   instead of being retried over the next reconnects (default 20, i.e. tens of seconds).
 * - autoResendUnfulfilledCommands false: a command we already reported as failed is not sent
 *   again behind the caller's back after a reconnect.
 * - enableReadyCheck true: after a restart the client is not 'ready' (so commands fail fast)
 *   until Redis has finished loading its AOF/RDB, instead of answering LOADING errors.
 */
export const FAIL_FAST_REDIS_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  enableReadyCheck: true,
} as const satisfies RedisOptions;

export interface RedisClientOptions {
  /** Give up a connection attempt after this long (ioredis connectTimeout). Default 2000. */
  connectTimeoutMs?: number;
  /** Reject a command with no reply after this long, e.g. a frozen server (ioredis commandTimeout). Default 2000. */
  commandTimeoutMs?: number;
  /** Longest pause between reconnect attempts; the client never stops reconnecting. Default 2000. */
  maxReconnectDelayMs?: number;
  /** Shown by CLIENT LIST, to find the app's connections. */
  connectionName?: string;
  /** Do not connect until the first command or connect(). Default false. */
  lazyConnect?: boolean;
  /** Connection errors (each failed reconnect). Without it ioredis prints "Unhandled error event" to stderr. */
  onError?: (err: Error) => void;
  /** Anything else (tls, username, db…). The fail-fast settings and timeouts above take precedence. */
  redisOptions?: RedisOptions;
}

export const REDIS_CLIENT_DEFAULTS = { connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxReconnectDelayMs: 2000 } as const;

/** A client for `url` (redis:// or rediss://; credentials in the URL) with the fail-fast settings. */
export function createRedisClient(url: string, opts: RedisClientOptions = {}): Redis {
  const maxDelay = positive('maxReconnectDelayMs', opts.maxReconnectDelayMs ?? REDIS_CLIENT_DEFAULTS.maxReconnectDelayMs);
  const client = new Redis(url, {
    ...opts.redisOptions,
    ...FAIL_FAST_REDIS_OPTIONS,
    connectTimeout: positive('connectTimeoutMs', opts.connectTimeoutMs ?? REDIS_CLIENT_DEFAULTS.connectTimeoutMs),
    commandTimeout: positive('commandTimeoutMs', opts.commandTimeoutMs ?? REDIS_CLIENT_DEFAULTS.commandTimeoutMs),
    // Exponential from 50 ms, capped; never gives up, so the store recovers when Redis returns.
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt - 1, 16), maxDelay),
    keepAlive: opts.redisOptions?.keepAlive ?? 10_000,
    lazyConnect: opts.lazyConnect ?? false,
    ...(opts.connectionName === undefined ? {} : { connectionName: opts.connectionName }),
  });
  if (opts.onError) client.on('error', opts.onError);
  return client;
}

/**
 * Resolves once the client is ready for commands (with the offline queue off, commands sent
 * before that fail). Rejects with ConnectionError (CONNECTION_ERROR, retryable) after timeoutMs.
 */
export function waitUntilReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new ConnectionError('redis client is closed'));
  if (client.status === 'wait') client.connect().catch(() => undefined); // failures surface as the timeout below
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      reject(new ConnectionError('redis client closed before it became ready'));
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      client.off('end', onEnd);
      reject(new ConnectionError(`redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds; got ${value}`);
  return value;
}
