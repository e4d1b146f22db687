// The Sink contract: what every sink (PostgreSQL, search, any team's own) implements. The runner
// (sink-app.ts) does Kafka, decoding, batching, the breaker, retries and the DLQ around it.
import type { SinkRecord } from '@ingest-mesh/contracts';

/**
 * One SinkRecord from a sink.<name> topic, decoded: the envelope fields of the contract
 * (@ingest-mesh/contracts SinkRecord), its Kafka coordinates, times as Dates, and the entity.
 */
export interface SinkRecordIn extends Pick<SinkRecord, 'tenant' | 'source' | 'entityType' | 'id' | 'revision' | 'priority' | 'op' | 'payloadSchemaId'> {
  /** The Kafka key, `tenant:entityType:id`. */
  key: string;
  topic: string;
  partition: number;
  offset: string;
  occurredAt: Date;
  /** The decoded entity (avsc plain object; timestamp-millis as epoch ms numbers); null for delete. */
  payload: Record<string, unknown> | null;
  traceparent?: string;
}

/** What became of one record of a writeBatch call. */
export type SinkOutcome =
  | { status: 'written' }
  | { status: 'noop'; why?: 'equal-revision' | 'superseded-in-batch' }
  | { status: 'older-revision'; currentRevision: number }
  | { status: 'failed'; error: unknown };

export interface SinkHealth {
  ok: boolean;
  details?: Record<string, unknown>;
}

export interface Sink {
  readonly name: string;
  connect(): Promise<void>;
  /** One outcome per record, same order; throwing = every record failed with that error (infrastructure). */
  writeBatch(records: readonly SinkRecordIn[], ctx: { signal: AbortSignal }): Promise<SinkOutcome[]>;
  /** Idempotent. */
  close(): Promise<void>;
  health(): Promise<SinkHealth>;
}
