// The router's RecordHandler: envelope → schema (registry) → data-quality rules → route →
// one Avro SinkRecord per sink topic, produced in one request per round. Every failure is a
// typed error, so the runtime dead-letters it with its reason or retries it.
import type { SchemaCatalog } from '@ingest-mesh/avro';
import { fromJson, frame, isFramed, SINK_RECORD_SUBJECT } from '@ingest-mesh/avro';
import { entityKey, type Priority, type SinkRecord } from '@ingest-mesh/contracts';
import { dedupeKey } from '@ingest-mesh/idempotency';
import {
  headerString,
  type HandleContext,
  type InboundRecord,
  type RecordHandler,
  type RecordMeta,
  type RecordOutcome,
  type SettledRecord,
} from '@ingest-mesh/kafka-runtime';
import { classify, InvalidPayloadError, SchemaDriftError, UnknownRouteError, UnknownTenantError, type ValidationError } from '@ingest-mesh/reason-codes';
import { traceparentFromHeaders, UNTRACED, type TraceScope } from '@ingest-mesh/telemetry';
import type { KafkaMessage, Message, MessageHeaders, Producer } from '@ingest-mesh/kafka-client';
import type { Envelope } from './envelope.js';
import { assertRecordSize, parseJsonEnvelope, TOMBSTONE_PROBLEM } from './envelope.js';
import type { LaneEntry } from './slow-lane/lane-ledger.js';
import { slowLanePartition, type LaneDecision, type ParkReason, type TenantLanes } from './slow-lane/tenant-lanes.js';

export interface ResolvedRoute {
  sinks: string[];
  topics: string[];
  priority?: Priority | undefined;
}

export interface RouterPipelineOptions {
  catalog: SchemaCatalog;
  producer: Producer;
  resolveRoute(tenant: string, entityType: string): ResolvedRoute | undefined;
  validate(entityType: string, payload: unknown): ValidationError | undefined;
  /** Per-tenant lanes (consumer-side fairness); a tenant without one is unknown. */
  lanes: TenantLanes;
  /** The slow lane: records over their tenant's rate wait here, and the router drains it. */
  deferredTopic: string;
  /** Partitions of the deferred topic (a tenant's parked records all go to one). */
  deferredPartitions: number;
  /** While true (brownout), the slow lane is not drained: it would only add to the load. */
  holdSlowLane?(): boolean;
  maxRecordBytes: number;
  /** Creates sink topics a live route override names for the first time (cached; no I/O once known). */
  ensureTopics(topics: string[]): Promise<void>;
  /** Decodes a Confluent-framed Avro RawEnvelope (async: the writer schema may need fetching). */
  decodeAvroEnvelope(bytes: Buffer): Promise<Envelope>;
  /** Counts records routed per tenant and source, once their produce is acknowledged (NoDataReceived watches it). */
  countRouted?(tenant: string, source: string): void;
  now?: () => Date;
}

const SOURCE = 'ingest-router';
/** Why a record waited; forwarded to the sinks, which skip an older revision that waited as superseded. */
export const DEFERRED_REASON = 'x-mesh-deferred-reason';
const LANE_HEADER_PREFIX = 'x-mesh-lane-';
/** The lane entry of a parked record, so it can be released even if its envelope no longer decodes. */
export const LANE_HEADERS = { tenant: `${LANE_HEADER_PREFIX}tenant`, key: `${LANE_HEADER_PREFIX}key`, member: `${LANE_HEADER_PREFIX}member` } as const;
/** How long a held slow lane (brownout) waits before it looks again. */
const HOLD_MS = 1000;
/** How long a partition waits for the lanes' ledger (Redis) before it tries again. */
const LEDGER_RETRY_MS = 1000;

export class RouterPipeline implements RecordHandler {
  private readonly envelopes = new WeakMap<KafkaMessage, Envelope>();
  /** Avro envelopes prepare() found undecodable (not for want of the registry): describe() dead-letters them. */
  private readonly undecodable = new WeakMap<KafkaMessage, unknown>();
  private readonly now: () => Date;

  constructor(private readonly opts: RouterPipelineOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Decodes the round's Avro envelopes (their writer schema may need fetching), so describe()
   * gives them a dedupe identity like JSON ones. A record that cannot decode is remembered and
   * dead-lettered by describe(); one that could not be decoded for want of the registry is left
   * to handle(), which retries it (without a dedupe identity: the sinks' revision guards absorb
   * a duplicate that slips through then).
   */
  async prepare(records: readonly InboundRecord[]): Promise<void> {
    await Promise.all(
      records.map(async ({ message }) => {
        const value = message.value;
        if (!value || !isFramed(value) || value.length > this.opts.maxRecordBytes || this.envelopes.has(message)) return;
        try {
          this.envelopes.set(message, await this.opts.decodeAvroEnvelope(value));
        } catch (err) {
          if (!classify(err).retryable) this.undecodable.set(message, err);
        }
      }),
    );
  }

  /** Without I/O: JSON envelopes are parsed here, Avro ones were decoded by prepare(); both kept for handle. */
  describe(record: InboundRecord): RecordMeta {
    const meta = this.describeEnvelope(record);
    // Records being drained from the slow lane have waited already: brownout never parks them again.
    return record.topic === this.opts.deferredTopic ? { ...meta, deferrable: false } : meta;
  }

  private describeEnvelope(record: InboundRecord): RecordMeta {
    const value = record.message.value;
    if (!value) return {};
    // Avro ones are size-checked here too: an oversized one would fail the round's sink produce.
    assertRecordSize(value, this.opts.maxRecordBytes);
    if (isFramed(value)) {
      if (this.undecodable.has(record.message)) throw this.undecodable.get(record.message);
      const decoded = this.envelopes.get(record.message);
      return decoded ? metaOf(decoded) : {};
    }
    const e = parseJsonEnvelope(value, this.opts.maxRecordBytes);
    this.envelopes.set(record.message, e);
    return metaOf(e);
  }

  async handle(records: readonly InboundRecord[], ctx: HandleContext): Promise<RecordOutcome[]> {
    // A round is one partition of one topic: the fast lane (source) or the slow lane.
    return records[0]?.topic === this.opts.deferredTopic ? this.drain(records, ctx.trace) : this.admit(records, ctx.trace);
  }

  /** Fast lane: each record is routed now, or parked on the slow lane when its tenant is over its rate. */
  private async admit(records: readonly InboundRecord[], trace: TraceScope): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
    const known: { n: number; e: Envelope }[] = [];
    for (const [n, record] of records.entries()) {
      try {
        known.push({ n, e: await this.knownTenantEnvelope(record) });
      } catch (error) {
        outcomes[n] = { status: 'failed', error };
      }
    }
    let decisions: LaneDecision[];
    try {
      decisions = await this.opts.lanes.admit(
        known.map(({ n, e }) => ({ tenant: e.tenant, entityKey: entityKey(e), timestampMs: Number(records[n]!.message.timestamp) })),
      );
    } catch {
      return waitForLedger(records); // nothing decided, nothing sent
    }
    const round = new RoundOutput(trace);
    const parked: LaneEntry[] = [];
    for (const [i, { n, e }] of known.entries()) {
      const decision = decisions[i]!;
      if (decision.lane === 'slow') {
        this.park(round, parked, records[n]!.message, e, decision.reason);
        outcomes[n] = { status: 'done', effect: 'deferred' };
      } else outcomes[n] = await this.routeInto(round, e, records[n]!);
    }
    // Marked before they are produced: a crash in between leaves the key waiting, and the record,
    // read again, is parked again behind its mark (the same member, so counted once).
    try {
      await this.opts.lanes.park(parked);
    } catch {
      return waitForLedger(records); // nothing sent yet: the round comes again
    }
    await this.send(round);
    return outcomes;
  }

  /** Slow lane: records go on, in order, as the tenant's spare rate allows; the rest waits (partition paused). */
  private async drain(records: readonly InboundRecord[], trace: TraceScope): Promise<RecordOutcome[]> {
    if (this.opts.holdSlowLane?.()) return records.map(() => ({ status: 'later', retryInMs: HOLD_MS }));
    const outcomes: RecordOutcome[] = [];
    const round = new RoundOutput(trace);
    for (const record of records) {
      try {
        const e = await this.knownTenantEnvelope(record);
        const waitMs = this.opts.lanes.drainWaitMs(e.tenant);
        if (waitMs > 0) {
          while (outcomes.length < records.length) outcomes.push({ status: 'later', retryInMs: waitMs });
          break;
        }
        outcomes.push(await this.routeInto(round, e, record));
      } catch (error) {
        outcomes.push({ status: 'failed', error });
      }
    }
    await this.send(round);
    return outcomes;
  }

  /** Slow-lane records that are final (routed, duplicate, dead-lettered) stop waiting: their marks go. */
  async settled(records: readonly SettledRecord[]): Promise<void> {
    const leaving = records
      .filter((r) => r.record.topic === this.opts.deferredTopic && r.final !== 'deferred')
      .map((r) => laneEntryFromHeaders(r.record.message.headers))
      .filter((entry): entry is LaneEntry => entry !== undefined);
    await this.opts.lanes.release(leaving);
  }

  /** Brownout: low-priority records wait on the slow lane, bytes unchanged, their keys marked waiting. */
  async defer(records: readonly InboundRecord[]): Promise<void> {
    const round = new RoundOutput(UNTRACED); // parked bytes and headers go on unchanged
    const parked: LaneEntry[] = [];
    for (const record of records) {
      this.park(round, parked, record.message, this.envelopes.get(record.message), 'brownout');
    }
    await this.opts.lanes.park(parked);
    await this.send(round);
  }

  private async knownTenantEnvelope(record: InboundRecord): Promise<Envelope> {
    const e = await this.envelopeOf(record);
    if (!this.opts.lanes.has(e.tenant)) throw new UnknownTenantError(`tenant "${e.tenant}" is not configured (add it under tenants: in the router config)`);
    return e;
  }

  /** Routes one record into the round's output; a failure is that record's outcome. */
  private async routeInto(round: RoundOutput, e: Envelope, record: InboundRecord): Promise<RecordOutcome> {
    try {
      for (const [topic, message] of await this.route(e, record.message, round.trace)) round.add(topic, message);
      round.routed.push(e);
      return { status: 'done', effect: 'written' };
    } catch (error) {
      return { status: 'failed', error };
    }
  }

  /** One produce request for the round; a failure fails every record of it (retried in order). */
  private async send(round: RoundOutput): Promise<void> {
    const topicMessages = round.topicMessages(this.opts.deferredTopic);
    if (topicMessages.length === 0) return;
    await this.opts.ensureTopics(topicMessages.map((t) => t.topic));
    await this.opts.producer.sendBatch({ topicMessages, acks: -1 });
    for (const e of round.routed) this.opts.countRouted?.(e.tenant, e.source);
  }

  /**
   * Parks a record in the round: the original bytes and headers, plus why and for which lane entry
   * it waits, all of a tenant's in one partition; its entry joins `parked` (to be marked). Without
   * an envelope (undecodable now) it waits unmarked, partitioned by its key.
   */
  private park(round: RoundOutput, parked: LaneEntry[], message: KafkaMessage, e: Envelope | undefined, reason: ParkReason): void {
    const headers: MessageHeaders = { ...(message.headers ?? {}), [DEFERRED_REASON]: reason, 'x-mesh-deferred-by': SOURCE };
    if (!e) {
      round.park({ key: message.key, value: message.value, headers });
      return;
    }
    const entry = laneEntryOf(e);
    parked.push(entry);
    round.park({
      key: message.key,
      value: message.value,
      partition: slowLanePartition(e.tenant, this.opts.deferredPartitions),
      headers: { ...headers, [LANE_HEADERS.tenant]: entry.tenant, [LANE_HEADERS.key]: entry.entityKey, [LANE_HEADERS.member]: entry.member },
    });
  }

  private async envelopeOf(record: InboundRecord): Promise<Envelope> {
    const cached = this.envelopes.get(record.message);
    if (cached) return cached;
    const value = record.message.value;
    if (!value) throw new InvalidPayloadError(TOMBSTONE_PROBLEM);
    if (value.length === 0) throw new InvalidPayloadError('empty record value: expected a JSON or Avro envelope');
    const e = isFramed(value) ? await this.opts.decodeAvroEnvelope(value) : parseJsonEnvelope(value, this.opts.maxRecordBytes);
    this.envelopes.set(record.message, e);
    return e;
  }

  private async route(e: Envelope, original: KafkaMessage, trace: TraceScope): Promise<[string, Message][]> {
    const reader = await this.opts.catalog.latest(e.entityType); // UNKNOWN_ENTITY_TYPE when no subject
    let payload: Buffer | null = null;
    if (e.op === 'upsert') {
      const value = e.payloadAvro ? (await this.opts.catalog.decode(e.payloadAvro, reader.type)).value : this.convert(e, reader.type);
      const broken = this.opts.validate(e.entityType, value);
      if (broken) throw broken;
      payload = frame(reader.id, reader.type.toBuffer(value));
    }
    const route = this.opts.resolveRoute(e.tenant, e.entityType);
    if (!route || route.topics.length === 0) {
      throw new UnknownRouteError(
        `no route sends entity type "${e.entityType}" of tenant "${e.tenant}" to a sink (router config entityTypes, or an override on mesh.routes)`,
      );
    }
    const headers = forwardHeaders(original.headers, e.traceparent, trace);
    const record: SinkRecord = {
      tenant: e.tenant,
      source: e.source,
      entityType: e.entityType,
      id: e.id,
      revision: e.revision,
      occurredAt: e.occurredAt.getTime(),
      priority: route.priority ?? e.priority,
      op: e.op,
      payloadSchemaId: payload ? reader.id : null,
      payload,
      traceparent: String(headers.traceparent), // the router's span, as in the header
      routedAt: this.now().getTime(),
    };
    const value = await this.opts.catalog.encode(SINK_RECORD_SUBJECT, record);
    const key = entityKey(e);
    return route.topics.map((topic) => [topic, { key, value, headers }]);
  }

  private convert(e: Envelope, type: Parameters<typeof fromJson>[0]): unknown {
    const converted = fromJson(type, e.payload);
    if (converted.ok) return converted.value;
    const problems = converted.errors.map((f) => `${f.path || '(payload)'}: ${f.problem}`).join('; ');
    throw new SchemaDriftError(`payload does not match the schema of entity type "${e.entityType}": ${problems}`);
  }
}

/**
 * Keeps the producer's headers (and x-mesh-deferred-reason, which tells the sinks a record waited)
 * without the lane's own bookkeeping, and continues its trace from the round's span (TraceScope).
 */
function forwardHeaders(headers: MessageHeaders | undefined, envelopeTraceparent: string | undefined, trace: TraceScope): MessageHeaders {
  const parent = traceparentFromHeaders(headers ?? {}) ?? envelopeTraceparent;
  const kept = Object.entries(headers ?? {}).filter(([name]) => !name.startsWith(LANE_HEADER_PREFIX));
  return { ...Object.fromEntries(kept), traceparent: trace.continueFrom(parent) };
}

/** A parked record's lane entry; its member is its dedupe key, the same however often it is parked. */
function laneEntryOf(e: Envelope): LaneEntry {
  return { tenant: e.tenant, entityKey: entityKey(e), member: dedupeKey(identityOf(e)) };
}

function laneEntryFromHeaders(headers: MessageHeaders | undefined): LaneEntry | undefined {
  const tenant = headerString(headers, LANE_HEADERS.tenant);
  const entityKey = headerString(headers, LANE_HEADERS.key);
  const member = headerString(headers, LANE_HEADERS.member);
  return tenant && entityKey && member ? { tenant, entityKey, member } : undefined;
}

/** The lanes' ledger (Redis) is down and fails closed: the partition waits, no attempt is counted. */
function waitForLedger(records: readonly InboundRecord[]): RecordOutcome[] {
  return records.map(() => ({ status: 'later', retryInMs: LEDGER_RETRY_MS }));
}

/** A round's output: sink messages by topic, parked messages, and the envelopes routed. */
class RoundOutput {
  private readonly byTopic = new Map<string, Message[]>();
  constructor(readonly trace: TraceScope) {}
  private readonly parked: Message[] = [];
  readonly routed: Envelope[] = [];

  add(topic: string, message: Message): void {
    const list = this.byTopic.get(topic) ?? [];
    list.push(message);
    this.byTopic.set(topic, list);
  }

  park(message: Message): void {
    this.parked.push(message);
  }

  topicMessages(deferredTopic: string): { topic: string; messages: Message[] }[] {
    const out = [...this.byTopic].map(([topic, messages]) => ({ topic, messages }));
    if (this.parked.length > 0) out.push({ topic: deferredTopic, messages: this.parked });
    return out;
  }
}

/** What the runtime needs of an envelope: tenant, priority and its dedupe identity. */
function metaOf(e: Envelope): RecordMeta {
  return { tenant: e.tenant, priority: e.priority, dedupe: identityOf(e) };
}

function identityOf(e: Envelope) {
  return { tenant: e.tenant, source: e.source, entityType: e.entityType, id: e.id, revision: e.revision };
}
