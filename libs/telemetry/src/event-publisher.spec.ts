import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { Message, Producer, ProducerRecord } from '@ingest-mesh/kafka-client';
import { describe, expect, it } from 'vitest';
import { EventPublisher, EventPublishTimeoutError, type EventPublisherOptions } from './event-publisher.js';
import { createLogger } from './logger.js';
import { decodeMeshEvent, meshEventSchema } from './mesh-event.js';

const avroType = avro.Type.forSchema(JSON.parse(meshEventSchema()));
const SCHEMA_ID = 7;

/** Stand-in for the registry client: Confluent framing over avsc; "not found" until registered. */
class FakeRegistry {
  lookups = 0;
  registrations: { subject: string }[] = [];
  registered = false;
  lookupError: Error | undefined;

  async getRegistryIdBySchema(): Promise<number> {
    this.lookups++;
    if (this.lookupError) throw this.lookupError;
    if (!this.registered) throw Object.assign(new Error('Subject not found'), { name: 'ConfluentSchemaRegistryError' });
    return SCHEMA_ID;
  }
  async register(_schema: unknown, opts: { subject: string }): Promise<{ id: number }> {
    this.registrations.push(opts);
    this.registered = true;
    return { id: SCHEMA_ID };
  }
  async encode(id: number, payload: unknown): Promise<Buffer> {
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, avroType.toBuffer(payload)]);
  }
  async decode(buffer: Buffer): Promise<unknown> {
    return avroType.fromBuffer(buffer.subarray(5));
  }
}

/** Stand-in for a producer: records sends; can fail or never answer. */
class FakeProducer {
  sends: ProducerRecord[] = [];
  mode: 'ok' | 'reject' | 'hang' = 'ok';
  async send(record: ProducerRecord): Promise<[]> {
    this.sends.push(record);
    if (this.mode === 'reject') throw new Error('This server does not host this topic-partition');
    if (this.mode === 'hang') return new Promise(() => {});
    return [];
  }
}

function setup(overrides: Partial<EventPublisherOptions> = {}) {
  const registry = new FakeRegistry();
  const producer = new FakeProducer();
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger({ app: 'test', destination: { write: (l: string) => void logLines.push(JSON.parse(l)) } });
  const failedCounts: number[] = [];
  const publisher = new EventPublisher({
    producer: producer as unknown as Producer,
    registry: registry as unknown as SchemaRegistry,
    app: 'sink-postgres',
    instance: 'pod-1',
    logger,
    metrics: { eventsFailed: (n) => void failedCounts.push(n) },
    now: () => new Date('2025-01-01T00:00:00.000Z'),
    ...overrides,
  });
  return { registry, producer, publisher, logLines, failedCounts };
}

describe('EventPublisher', () => {
  it('sends a batch in one send, keyed by app, registering the schema once', async () => {
    const { registry, producer, publisher } = setup({ topic: 'events-test', subject: 'events-test-value' });
    await publisher.publishMany([
      { type: 'app.started', data: { version: '1' } },
      { type: 'batch.completed', tenant: 'acme' },
    ]);
    await publisher.publish('app.stopping', { reason: 'SIGTERM' });

    expect(producer.sends).toHaveLength(2);
    expect(producer.sends[0]!.topic).toBe('events-test');
    const messages = producer.sends.flatMap((s) => s.messages as Message[]);
    expect(messages.map((m) => m.key)).toEqual(['sink-postgres', 'sink-postgres', 'sink-postgres']);
    const decoded = await Promise.all(messages.map((m) => decodeMeshEvent(registry as unknown as SchemaRegistry, m.value as Buffer)));
    expect(decoded).toEqual([
      { type: 'app.started', app: 'sink-postgres', instance: 'pod-1', at: '2025-01-01T00:00:00.000Z', data: { version: '1' } },
      { type: 'batch.completed', app: 'sink-postgres', instance: 'pod-1', at: '2025-01-01T00:00:00.000Z', tenant: 'acme', data: {} },
      { type: 'app.stopping', app: 'sink-postgres', instance: 'pod-1', at: '2025-01-01T00:00:00.000Z', data: { reason: 'SIGTERM' } },
    ]);
    expect(registry.lookups).toBe(1);
    expect(registry.registrations).toEqual([{ subject: 'events-test-value', compatibility: 'BACKWARD' }]);
    expect(publisher.stats).toEqual({ published: 3, failed: 0 });
  });

  it('uses mesh.events and mesh.events-value by default and does not re-register a known schema', async () => {
    const { registry, producer, publisher } = setup();
    registry.registered = true;
    await publisher.publish('app.started');
    expect(producer.sends[0]!.topic).toBe('mesh.events');
    expect(registry.registrations).toEqual([]);
  });

  it('does not throw when Kafka refuses: counts, reports to metrics, logs once per interval', async () => {
    const { producer, publisher, logLines, failedCounts } = setup({ logIntervalMs: 60_000 });
    producer.mode = 'reject';
    await expect(publisher.publishMany([{ type: 'a' }, { type: 'b' }])).resolves.toBeUndefined();
    await expect(publisher.publish('c')).resolves.toBeUndefined();
    expect(publisher.stats).toEqual({ published: 0, failed: 3 });
    expect(failedCounts).toEqual([2, 1]);
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatchObject({ level: 'warn', failedEvents: 2, types: ['a', 'b'], topic: 'mesh.events' });
    expect(JSON.stringify(logLines[0])).toContain('does not host this topic-partition');
  });

  it('logs the failures it held back once the interval has passed', async () => {
    const { producer, publisher, logLines } = setup({ logIntervalMs: 0 });
    producer.mode = 'reject';
    await publisher.publish('a');
    await publisher.publish('b');
    expect(logLines.map((l) => l.failedEvents)).toEqual([1, 1]);
  });

  it('does not throw when the registry is unreachable, and looks the schema up again next time', async () => {
    const { registry, producer, publisher } = setup();
    registry.lookupError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8081'), { name: 'ResponseError', status: 400 });
    await publisher.publish('a');
    expect(registry.registrations).toEqual([]);
    expect(producer.sends).toEqual([]);
    registry.lookupError = undefined;
    await publisher.publish('b');
    expect(registry.lookups).toBe(2);
    expect(publisher.stats).toEqual({ published: 1, failed: 1 });
  });

  it('with autoRegister false, a missing schema is a failure, not a registration', async () => {
    const { registry, publisher } = setup({ autoRegister: false });
    await publisher.publish('a');
    expect(registry.registrations).toEqual([]);
    expect(publisher.stats.failed).toBe(1);
  });

  it('gives up on a send that never answers after timeoutMs, as a SINK_TIMEOUT failure', async () => {
    const { producer, publisher, logLines } = setup({ timeoutMs: 20 });
    producer.mode = 'hang';
    await expect(publisher.publish('a')).resolves.toBeUndefined();
    expect(publisher.stats).toEqual({ published: 0, failed: 1 });
    expect(logLines[0]).toMatchObject({ err: { type: 'EventPublishTimeoutError', code: 'SINK_TIMEOUT', retryable: true } });
    expect(new EventPublishTimeoutError(5)).toMatchObject({ code: 'SINK_TIMEOUT', timeoutMs: 5 });
  });

  it('counts data that cannot be encoded without sending anything', async () => {
    const { producer, publisher } = setup();
    const data: Record<string, unknown> = {};
    data.self = data;
    await publisher.publishMany([{ type: 'ok' }, { type: 'cyclic', data }]);
    expect(producer.sends).toEqual([]);
    expect(publisher.stats).toEqual({ published: 0, failed: 2 });
  });

  it('sends nothing for an empty batch', async () => {
    const { producer, publisher } = setup();
    await publisher.publishMany([]);
    expect(producer.sends).toEqual([]);
    expect(publisher.stats).toEqual({ published: 0, failed: 0 });
  });
});
