// Header names of the mesh (docs/architecture.md), and helpers for Kafka header values.
import type { MessageHeaders } from '@ingest-mesh/kafka-client';

export const DLQ_HEADERS = {
  originTopic: 'x-mesh-origin-topic',
  originPartition: 'x-mesh-origin-partition',
  originOffset: 'x-mesh-origin-offset',
  app: 'x-mesh-app',
  reason: 'x-mesh-reason',
  retryable: 'x-mesh-retryable',
  attempts: 'x-mesh-attempts',
  firstFailureAt: 'x-mesh-first-failure-at',
  lastFailureAt: 'x-mesh-last-failure-at',
  error: 'x-mesh-error',
  tenant: 'x-mesh-tenant',
  dedupeKey: 'x-mesh-dedupe-key',
} as const;

/** Headers a redrive or replay adds; the runtime keeps them when it dead-letters a record again. */
export const REDRIVE_HEADERS = {
  redriveId: 'x-mesh-redrive-id',
  replayId: 'x-mesh-replay-id',
} as const;

export const TRACE_HEADERS = { traceparent: 'traceparent', tracestate: 'tracestate' } as const;

/** One header value as a string (a consumed header is a Buffer, a string or an array of them). */
export function headerString(headers: MessageHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined || first === null) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

export function headerInt(headers: MessageHeaders | undefined, name: string): number | undefined {
  const value = headerString(headers, name);
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
