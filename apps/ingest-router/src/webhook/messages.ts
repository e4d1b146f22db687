// Envelopes → the Kafka messages for ingest.raw: keyed tenant:entityType:id (every version of an
// entity in one partition), the normalised JSON envelope as value, trace and provenance headers.
import { isValidTraceparent, TRACEPARENT_HEADER, UNTRACED, type TraceScope } from '@ingest-mesh/telemetry';
import type { Envelope } from '../envelope.js';

export const INGEST_SOURCE_HEADER = 'x-mesh-ingest-source';
export const RECEIVED_AT_HEADER = 'x-mesh-received-at';

export interface WebhookMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export function recordKey(e: Pick<Envelope, 'tenant' | 'entityType' | 'id'>): string {
  return `${e.tenant}:${e.entityType}:${e.id}`;
}

/**
 * One message per envelope. The traceparent continues the record's own `traceparent` when it has
 * a valid one, else the request's `traceparent` header, else starts a trace — through the
 * request's span when tracing is on (TraceScope), as a child id when off; the value carries the
 * same traceparent as the header.
 */
export function toMessages(
  envelopes: readonly Envelope[],
  requestTraceparent: string | undefined,
  receivedAt: Date,
  trace: TraceScope = UNTRACED,
): WebhookMessage[] {
  const received = receivedAt.toISOString();
  return envelopes.map((e) => {
    const traceparent = trace.continueFrom(isValidTraceparent(e.traceparent) ? e.traceparent : requestTraceparent);
    const value = {
      tenant: e.tenant,
      source: e.source,
      entityType: e.entityType,
      id: e.id,
      revision: e.revision,
      occurredAt: e.occurredAt.toISOString(),
      priority: e.priority,
      op: e.op,
      payload: e.payload,
      traceparent,
    };
    return {
      key: recordKey(e),
      value: Buffer.from(JSON.stringify(value), 'utf8'),
      headers: { [TRACEPARENT_HEADER]: traceparent, [INGEST_SOURCE_HEADER]: 'webhook', [RECEIVED_AT_HEADER]: received },
    };
  });
}
