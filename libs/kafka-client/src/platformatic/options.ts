// The @platformatic/kafka client options every adapter client shares, from the port's options:
// the same retry budget and doubling back-off as the kafkajs adapter, no topic auto-creation.
import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaClientOptions } from '../port.js';

/** kafkajs' cap on one retry wait (its retry.maxRetryTime default). */
const MAX_RETRY_WAIT_MS = 30_000;

export function baseOptionsOf(opts: KafkaClientOptions): BaseOptions {
  const initial = opts.initialRetryTimeMs ?? 200;
  return {
    clientId: opts.clientId,
    bootstrapBrokers: opts.brokers,
    retries: opts.retries ?? 8,
    retryDelay: (_client, _operation, attempt) => retryWait(initial, attempt),
    autocreateTopics: false,
    ...(opts.connectionTimeoutMs === undefined ? {} : { connectTimeout: opts.connectionTimeoutMs }),
    ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeout: opts.requestTimeoutMs }),
  };
}

/** The wait before retry `attempt` (1-based): initial, doubling, capped. */
export function retryWait(initialMs: number, attempt: number): number {
  return Math.min(MAX_RETRY_WAIT_MS, initialMs * 2 ** Math.max(0, attempt - 1));
}
