// Publishes mesh.events. Observability must never stop processing: publish() resolves whatever
// happens — registry down, encoding error, Kafka refusing, a send that hangs — and the failure is
// logged (at most once per logIntervalMs) and counted (stats.failed, ingest_events_failed_total).
import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Producer } from '@ingest-mesh/kafka-client';
import { SinkTimeoutError } from '@ingest-mesh/reason-codes';
import { defaultInstanceId } from './instance.js';
import type { Logger } from './logger.js';
import { MESH_EVENTS_SUBJECT, MESH_EVENTS_TOPIC, meshEventSchema, toMeshEventRecord, type MeshEvent } from './mesh-event.js';

export interface MeshEventInput {
  type: string;
  data?: Record<string, unknown>;
  tenant?: string;
}

export interface EventPublisherOptions {
  /** A connected producer, owned by the caller. */
  producer: Producer;
  registry: SchemaRegistry;
  app: string;
  topic?: string;
  /** Default 'mesh.events-value'; tests use their own. */
  subject?: string;
  instance?: string;
  logger?: Logger;
  /** Where failures are counted besides `stats`; MeshMetrics fits. */
  metrics?: { eventsFailed(n: number): void };
  /** Longest a publish waits for the registry and Kafka together; later it counts as failed. Default 10 s. */
  timeoutMs?: number;
  /** Register the schema when the subject does not have it yet (default true); false only looks it up. */
  autoRegister?: boolean;
  /** The compatibility the client expects of the subject when registering. Default BACKWARD (the stack's global default). */
  compatibility?: COMPATIBILITY;
  logIntervalMs?: number;
  now?: () => Date;
}

export interface EventPublisherStats {
  published: number;
  failed: number;
}

export class EventPublisher {
  private readonly opts: EventPublisherOptions;
  private readonly topic: string;
  private readonly subject: string;
  private readonly instance: string;
  private schemaId: Promise<number> | undefined;
  private published = 0;
  private failed = 0;
  private lastFailureLogAt = Number.NEGATIVE_INFINITY;
  private unloggedFailures = 0;

  constructor(opts: EventPublisherOptions) {
    this.opts = opts;
    this.topic = opts.topic ?? MESH_EVENTS_TOPIC;
    this.subject = opts.subject ?? MESH_EVENTS_SUBJECT;
    this.instance = opts.instance ?? defaultInstanceId();
  }

  get stats(): EventPublisherStats {
    return { published: this.published, failed: this.failed };
  }

  publish(type: string, data: Record<string, unknown> = {}, tenant?: string): Promise<void> {
    return this.publishMany([{ type, data, ...(tenant === undefined ? {} : { tenant }) }]);
  }

  /** All events in one Kafka send, keyed by app so one app's events stay in order. */
  async publishMany(events: readonly MeshEventInput[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await deadline(this.send(events), this.opts.timeoutMs ?? 10_000);
      this.published += events.length;
    } catch (err) {
      this.recordFailure(events, err);
    }
  }

  private async send(events: readonly MeshEventInput[]): Promise<void> {
    const at = (this.opts.now?.() ?? new Date()).toISOString();
    const records = events.map((e) => toMeshEventRecord(this.event(e, at)));
    const id = await this.registeredSchemaId();
    const values = await Promise.all(records.map((r) => this.opts.registry.encode(id, r)));
    await this.opts.producer.send({ topic: this.topic, messages: values.map((value) => ({ key: this.opts.app, value })) });
  }

  private event(input: MeshEventInput, at: string): MeshEvent {
    const event: MeshEvent = { type: input.type, app: this.opts.app, instance: this.instance, at, data: input.data ?? {} };
    if (input.tenant !== undefined) event.tenant = input.tenant;
    return event;
  }

  /** Looked up (or registered) once; a failure is forgotten so the next publish tries again. */
  private registeredSchemaId(): Promise<number> {
    this.schemaId ??= this.lookUpOrRegister().catch((err: unknown) => {
      this.schemaId = undefined;
      throw err;
    });
    return this.schemaId;
  }

  private async lookUpOrRegister(): Promise<number> {
    const schema = { type: SchemaType.AVRO, schema: meshEventSchema() } as const;
    try {
      return await this.opts.registry.getRegistryIdBySchema(this.subject, schema);
    } catch (err) {
      // The client reports "subject or schema not found" (404) as ConfluentSchemaRegistryError.
      if (!(err instanceof Error && err.name === 'ConfluentSchemaRegistryError') || this.opts.autoRegister === false) throw err;
    }
    const compatibility = this.opts.compatibility ?? COMPATIBILITY.BACKWARD;
    const { id } = await this.opts.registry.register(schema, { subject: this.subject, compatibility });
    return id;
  }

  private recordFailure(events: readonly MeshEventInput[], err: unknown): void {
    this.failed += events.length;
    this.opts.metrics?.eventsFailed(events.length);
    this.unloggedFailures += events.length;
    const now = Date.now();
    if (now - this.lastFailureLogAt < (this.opts.logIntervalMs ?? 10_000)) return;
    this.opts.logger?.warn(
      { err, topic: this.topic, failedEvents: this.unloggedFailures, types: [...new Set(events.map((e) => e.type))] },
      'mesh events could not be published; processing continues',
    );
    this.lastFailureLogAt = now;
    this.unloggedFailures = 0;
  }
}

/** Registry and Kafka together took longer than timeoutMs (reason SINK_TIMEOUT, retryable). */
export class EventPublishTimeoutError extends SinkTimeoutError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`mesh event publish did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Settles with `work` or rejects after `ms`; `work` keeps running (its outcome is then ignored). */
function deadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EventPublishTimeoutError(ms)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
