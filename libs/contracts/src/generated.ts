// GENERATED from the Avro schemas by `npx nx run contracts:generate`: do not edit by hand.
// The values as avsc reads and writes them (timestamp-millis as epoch ms numbers, bytes as Buffer).
// Generated from:
//   schemas/mesh/ReasonCode.avsc
//   schemas/mesh/RawEnvelope.avsc
//   schemas/mesh/SinkRecord.avsc
//   schemas/mesh/ControlCommand.avsc
//   schemas/mesh/MeshEvent.avsc

/** Why a record failed (see docs/reason-codes.md). Readers that do not know a newer symbol read it as the default, INTERNAL_ERROR. */
export const REASON_CODE_SYMBOLS = ['SCHEMA_DRIFT', 'VALIDATION_FAIL', 'OLDER_REVISION', 'SINK_TIMEOUT', 'CONSTRAINT_VIOLATION', 'CONNECTION_ERROR', 'RATE_LIMITED', 'CIRCUIT_OPEN', 'INVALID_PAYLOAD', 'UNKNOWN_ROUTE', 'UNKNOWN_ENTITY_TYPE', 'UNKNOWN_TENANT', 'PAYLOAD_TOO_LARGE', 'INTERNAL_ERROR'] as const;
export type ReasonCode = (typeof REASON_CODE_SYMBOLS)[number];

export const PRIORITY_SYMBOLS = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITY_SYMBOLS)[number];

export const OPERATION_SYMBOLS = ['upsert', 'delete'] as const;
export type Operation = (typeof OPERATION_SYMBOLS)[number];

/** An Avro record on ingest.raw (the JSON envelope's binary twin). Subject mesh.RawEnvelope. */
export interface RawEnvelope {
  tenant: string;
  source: string;
  /** Entity type; its schema is registry subject entity.<entityType>. */
  entityType: string;
  /** Entity id within tenant and entityType. */
  id: string;
  /** Monotonic per entity id, >= 0. */
  revision: number;
  /** When the change happened at the source. Epoch milliseconds. */
  occurredAt: number;
  priority: Priority;
  /** delete = tombstone: payload may be null. */
  op: Operation;
  /** The entity as Confluent-framed Avro (magic 0, 4-byte schema id, body); null for delete. */
  payload: null | Buffer;
  /** W3C trace context from the producer. */
  traceparent: null | string;
}

/** What ingest-router writes to the sink.<name> topics: the validated envelope, the entity as Confluent-framed Avro, and when it was routed. Subject mesh.SinkRecord. */
export interface SinkRecord {
  tenant: string;
  source: string;
  /** Entity type; its schema is registry subject entity.<entityType>. */
  entityType: string;
  /** Entity id within tenant and entityType. */
  id: string;
  /** Monotonic per entity id; sinks refuse older revisions. */
  revision: number;
  /** When the change happened at the source. Epoch milliseconds. */
  occurredAt: number;
  priority: Priority;
  /** delete = tombstone: payload is null. */
  op: Operation;
  /** Registry id of the schema that wrote payload (also in its frame); null for delete. */
  payloadSchemaId: null | number;
  /** The entity as Confluent-framed Avro (magic 0, 4-byte schema id, body); null for delete. */
  payload: null | Buffer;
  /** W3C trace context of the ingest. */
  traceparent: null | string;
  /** When ingest-router wrote the record. Epoch milliseconds. */
  routedAt: number;
}

/** UNKNOWN is never issued: it is what an older reader makes of a symbol added after it was built (the enum default), so new command types do not break older apps. */
export const CONTROL_COMMAND_TYPE_SYMBOLS = ['UNKNOWN', 'drain', 'resume', 'brownout', 'pause', 'redrive', 'purge', 'quarantine_release', 'quarantine_archive', 'replay_plan', 'replay_approve', 'replay_run', 'replay_pause', 'replay_resume', 'replay_cancel'] as const;
export type ControlCommandType = (typeof CONTROL_COMMAND_TYPE_SYMBOLS)[number];

export interface ControlTarget {
  /** null = every app. */
  app: null | string;
  /** null = every tenant. */
  tenant: null | string;
  /** A reason code (schemas/mesh/ReasonCode.avsc symbol), or null. */
  reason: null | string;
}

/** A signed operator command on mesh.control. The signature is HMAC-SHA256 over the canonical encoding of every other field (libs/control/README.md). */
export interface ControlCommand {
  /** Unique per command (lower-case UUID); a replayed id is applied once. */
  id: string;
  type: ControlCommandType;
  target: ControlTarget;
  /** Command arguments as strings, e.g. sampleRate, limit, dryRun, since, until. */
  args: Record<string, string>;
  issuedBy: string;
  /** Epoch milliseconds. */
  issuedAt: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Lower-case hex HMAC-SHA256; empty = unsigned (always rejected). */
  signature: string;
}

/** One event of the mesh.events observability stream: app lifecycle, batches, circuit changes, control outcomes. */
export interface MeshEvent {
  /** Dotted event type, e.g. app.started, app.stopping, batch.completed, circuit.opened, control.rejected. */
  type: string;
  /** The app that emitted the event, e.g. sink-postgres. */
  app: string;
  /** The emitting process: MESH_INSTANCE_ID or <hostname>:<pid>. */
  instance: string;
  /** When it happened, ISO-8601 UTC (Date.toISOString). */
  at: string;
  /** The tenant the event concerns, if any. */
  tenant: null | string;
  /** Event details: a JSON object serialised as text, so new details need no schema change. */
  dataJson: string;
}
