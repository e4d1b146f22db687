// The contract between the runtime and an app: what a record is, what the app says about it,
// and what became of it.
import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import type { DedupeIdentity } from '@ingest-mesh/idempotency';
import type { TraceScope } from '@ingest-mesh/telemetry';

import type { Priority } from '@ingest-mesh/contracts';

export type { Priority };

export interface InboundRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** What the runtime needs to know about a record before handling it; read without I/O. */
export interface RecordMeta {
  tenant?: string;
  /** When set, the record is deduplicated on SHA-256 of this identity (libs/idempotency). */
  dedupe?: DedupeIdentity;
  priority?: Priority;
  /** false: brownout never defers this record (it is being drained from the deferral topic already). */
  deferrable?: boolean;
}

export type RecordOutcome =
  /** deferred: parked on another topic for later replay (its dedupe reservation is released). */
  | { status: 'done'; effect?: 'written' | 'skipped' | 'deferred' }
  | { status: 'failed'; error: unknown }
  /**
   * Not now, and not a failure: the record (and every later one of its partition) is delivered
   * again after retryInMs, with no attempt counted and nothing dead-lettered. For pacing, e.g. a
   * slow lane drained at a tenant's rate; the partition is paused meanwhile, other partitions go on.
   */
  | { status: 'later'; retryInMs: number };

export interface HandleContext {
  /** Aborted when the app shuts down or loses the partition: stop early, report what is done. */
  signal: AbortSignal;
  /** 1 for the first try of these records, more for in-place retries. */
  attempt: number;
  /** Keeps the consumer-group session alive during long work. */
  heartbeat(): Promise<void>;
  /**
   * The round's span (a no-op scope when tracing is off): records the handler produces carry
   * `trace.continueFrom(their incoming traceparent)`; its writes are `trace.child(...)` spans.
   */
  trace: TraceScope;
}

export interface RecordHandler {
  /**
   * Optional I/O once per round, before describe() (e.g. fetching the writer schema of Avro
   * records so describe() can read their dedupe identity). It must not throw for a record's
   * sake: what it could not do, describe() finds missing. If it throws anyway, the round goes on
   * (logged) and describe() runs on whatever it left.
   */
  prepare?(records: readonly InboundRecord[], signal: AbortSignal): Promise<void>;
  /** Throwing here dead-letters the record with the classified reason (e.g. INVALID_PAYLOAD). */
  describe?(record: InboundRecord): RecordMeta;
  /**
   * Handles records of one partition, in offset order, and returns one outcome per record in the
   * same order. Effects must be idempotent per record: after a crash a record can come again.
   */
  handle(records: readonly InboundRecord[], ctx: HandleContext): Promise<RecordOutcome[]>;
  /** Brownout: receives low-priority records to park for later replay; must not drop them. */
  defer?(records: readonly InboundRecord[]): Promise<void>;
  /**
   * Told, once per round, of the records that became final (written, skipped, duplicate,
   * deferred or dead-lettered) after that is durable and before their offsets are committed, e.g.
   * to drop bookkeeping kept while they were pending. A throw is retried until it succeeds (the
   * partition waits); after a crash a record can be reported again, so it must be idempotent.
   */
  settled?(records: readonly SettledRecord[]): Promise<void>;
}

export interface SettledRecord {
  record: InboundRecord;
  final: 'written' | 'skipped' | 'duplicate' | 'deferred' | 'dlq';
}
