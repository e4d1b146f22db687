// The router's RecordHandler: envelope → schema (registry) → data-quality rules → route →
// one Avro SinkRecord per sink topic, produced in one request per round. Every failure is a
// typed error, so the runtime dead-letters it with its reason or retries it.
import type { SchemaCatalog } from '@ingest-mesh/avro';
import { fromJson, frame, SINK_RECORD_SUBJECT } from '@ingest-mesh/avro';
import type { TokenBucket } from '@ingest-mesh/backpressure';
import type { HandleContext, InboundRecord, RecordHandler, RecordMeta, RecordOutcome } from '@ingest-mesh/kafka-runtime';
import { classify, SchemaDriftError, UnknownRouteError, UnknownTenantError, type ValidationError } from '@ingest-mesh/reason-codes';
import { childTraceparent, traceparentFromHeaders } from '@ingest-mesh/telemetry';
import type { IHeaders, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Envelope } from './envelope.js';
import { assertRecordSize, parseJsonEnvelope } from './envelope.js';

export interface ResolvedRoute {
  sinks: string[];
  topics: string[];
  priority?: 'high' | 'normal' | 'low' | undefined;
}

export interface RouterPipelineOptions {
  catalog: SchemaCatalog;
  producer: Producer;
  resolveRoute(tenant: string, entityType: string): ResolvedRoute | undefined;
  validate(entityType: string, payload: unknown): ValidationError | undefined;
  /** Per-tenant buckets (consumer-side fairness); a tenant without one is unknown. */
  tenants: ReadonlyMap<string, TokenBucket>;
  deferredTopic: string;
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

  async handle(records: readonly InboundRecord[], _ctx: HandleContext): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    const out = new Map<string, Message[]>();
    const deferred: Message[] = [];
    const routed: Envelope[] = [];
    for (const record of records) {
      try {
        const e = await this.envelopeOf(record);
        const bucket = this.opts.tenants.get(e.tenant);
        if (!bucket) throw new UnknownTenantError(`tenant "${e.tenant}" is not configured (add it under tenants: in the router config)`);
        if (!bucket.tryTake(1)) {
          // Over its rate: parked for replay so this tenant cannot starve the others.
          deferred.push(deferMessage(record.message, 'tenant-rate'));
          outcomes.push({ status: 'done', effect: 'deferred' });
          continue;
        }
        for (const [topic, message] of await this.route(e, record.message)) {
          const list = out.get(topic) ?? [];
          list.push(message);
          out.set(topic, list);
        }
        outcomes.push({ status: 'done', effect: 'written' });
        routed.push(e);
      } catch (error) {
        outcomes.push({ status: 'failed', error });
      }
    }
    const topicMessages = [...out].map(([topic, messages]) => ({ topic, messages }));
    if (deferred.length > 0) topicMessages.push({ topic: this.opts.deferredTopic, messages: deferred });
    // One produce request for the round; a failure fails every routed record (retried in order).
    if (topicMessages.length === 0) return outcomes;
    await this.opts.ensureTopics(topicMessages.map((t) => t.topic));
    await this.opts.producer.sendBatch({ topicMessages, acks: -1 });
    for (const e of routed) this.opts.countRouted?.(e.tenant, e.source);
    return outcomes;
  }

  /** Brownout: low-priority records wait on the deferred topic, bytes and headers unchanged. */
  async defer(records: readonly InboundRecord[]): Promise<void> {
    await this.opts.producer.send({ topic: this.opts.deferredTopic, acks: -1, messages: records.map((r) => deferMessage(r.message, 'brownout')) });
  }

  private async envelopeOf(record: InboundRecord): Promise<Envelope> {
    const cached = this.envelopes.get(record.message);
    if (cached) return cached;
    const value = record.message.value;
    if (!value || value.length === 0) throw new SchemaDriftError('empty record value: expected a JSON or Avro envelope');
    const e = isFramed(value) ? await this.opts.decodeAvroEnvelope(value) : parseJsonEnvelope(value, this.opts.maxRecordBytes);
    this.envelopes.set(record.message, e);
    return e;
  }

  private async route(e: Envelope, original: KafkaMessage): Promise<[string, Message][]> {
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
      throw new UnknownRouteError(`no route sends entity type "${e.entityType}" of tenant "${e.tenant}" to a sink (router config entityTypes, or an override on mesh.routes)`);
    }
    const headers = forwardHeaders(original.headers, e.traceparent);
    const value = await this.opts.catalog.encode(SINK_RECORD_SUBJECT, {
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
    });
    const key = `${e.tenant}:${e.entityType}:${e.id}`;
    return route.topics.map((topic) => [topic, { key, value, headers }]);
  }

  private convert(e: Envelope, type: Parameters<typeof fromJson>[0]): unknown {
    const converted = fromJson(type, e.payload);
    if (converted.ok) return converted.value;
    const problems = converted.errors.map((f) => `${f.path || '(payload)'}: ${f.problem}`).join('; ');
    throw new SchemaDriftError(`payload does not match the schema of entity type "${e.entityType}": ${problems}`);
  }
}

function isFramed(value: Buffer): boolean {
  return value.length >= 5 && value[0] === 0;
}

/** Keeps the producer's headers and continues its trace (a child span of the incoming one). */
function forwardHeaders(headers: IHeaders | undefined, envelopeTraceparent: string | undefined): IHeaders {
  const parent = traceparentFromHeaders(headers ?? {}) ?? envelopeTraceparent;
  return { ...(headers ?? {}), traceparent: childTraceparent(parent) };
}

function deferMessage(message: KafkaMessage, reason: string): Message {
  return {
    key: message.key,
    value: message.value,
    headers: { ...(message.headers ?? {}), 'x-mesh-deferred-reason': reason, 'x-mesh-deferred-by': SOURCE },
  };
}

/** What the runtime needs of an envelope: tenant, priority and its dedupe identity. */
function metaOf(e: Envelope): RecordMeta {
  return { tenant: e.tenant, priority: e.priority, dedupe: { tenant: e.tenant, source: e.source, entityType: e.entityType, id: e.id, revision: e.revision } };
}
