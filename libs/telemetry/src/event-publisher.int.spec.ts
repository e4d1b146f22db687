// EventPublisher and decodeMeshEvent against the real stack: Kafka (auto-create off) and the
// Apicurio registry's Confluent-compatible API. Each run uses its own topic and subject.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { stackEndpoints } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type Consumer, type Producer } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPublisher, type EventPublisherOptions } from './event-publisher.js';
import { decodeMeshEvent, type MeshEvent } from './mesh-event.js';
import { startTelemetry } from './telemetry.js';

const endpoints = stackEndpoints();
const brokers = endpoints.KAFKA_BROKERS.split(',').map((b) => b.trim());
const registryUrl = endpoints.SCHEMA_REGISTRY_URL.replace(/\/$/, '');
const run = randomUUID();
const topic = `telemetry-int-${run}`;
const subject = `telemetry-int-${run}-value`;
const groupId = `telemetry-int-${run}`;
const APP = 'telemetry-int';

describe('EventPublisher on the real stack', () => {
  const kafka = createKafkaClient({ clientId: APP, brokers, retries: 3, initialRetryTimeMs: 100 });
  // Few retries for the producer: the missing-topic case must give up quickly instead of retrying for half a minute.
  const quickToGiveUp = createKafkaClient({ clientId: APP, brokers, retries: 1, initialRetryTimeMs: 100 });
  const registry = new SchemaRegistry({ host: registryUrl });
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;

  function publisher(overrides: Partial<EventPublisherOptions> = {}): EventPublisher {
    return new EventPublisher({ producer, registry, app: APP, instance: 'int-1', topic, subject, ...overrides });
  }

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    producer = quickToGiveUp.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    try {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    } finally {
      await admin.disconnect();
      // Soft delete first, then permanent: the Confluent API refuses a permanent delete of a live subject.
      await fetch(`${registryUrl}/subjects/${subject}`, { method: 'DELETE' });
      await fetch(`${registryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
    }
  });

  it('publishes events that a consumer reads back and decodeMeshEvent decodes', async () => {
    const events = publisher();
    await events.publish('app.started', { version: '1.0.0', partitions: [0, 1] });
    await events.publishMany([
      { type: 'batch.completed', tenant: 'acme', data: { records: 500, lagSeconds: 1.25 } },
      { type: 'circuit.opened', data: { circuit: 'postgres' } },
    ]);
    expect(events.stats).toEqual({ published: 3, failed: 0 });

    // A second publisher (another process) finds the registered schema instead of adding a version.
    await publisher().publish('app.stopping');
    const versions = (await (await fetch(`${registryUrl}/subjects/${subject}/versions`)).json()) as number[];
    expect(versions).toEqual([1]);

    const seen: { key: string | undefined; event: MeshEvent }[] = [];
    consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const allRead = new Promise<void>((resolve, reject) => {
      void consumer!.run({
        eachMessage: async ({ message }) => {
          try {
            seen.push({ key: message.key?.toString(), event: await decodeMeshEvent(registry, message.value!) });
            if (seen.length === 4) resolve();
          } catch (err) {
            reject(err);
          }
        },
      });
    });
    await allRead;

    expect(seen.map((s) => s.key)).toEqual([APP, APP, APP, APP]);
    expect(seen.map((s) => s.event.type)).toEqual(['app.started', 'batch.completed', 'circuit.opened', 'app.stopping']);
    const [started, batch] = seen.map((s) => s.event);
    expect(started).toMatchObject({ app: APP, instance: 'int-1', data: { version: '1.0.0', partitions: [0, 1] } });
    expect(started!.tenant).toBeUndefined();
    expect(new Date(started!.at).toISOString()).toBe(started!.at);
    expect(batch).toMatchObject({ tenant: 'acme', data: { records: 500, lagSeconds: 1.25 } });
  });

  it('does not throw when the topic does not exist (auto-create is off), and counts the failure', async () => {
    const missing = `telemetry-int-missing-${randomUUID()}`;
    const own = await startTelemetry({ app: APP });
    try {
      const events = publisher({ topic: missing, timeoutMs: 30_000, metrics: own.metrics });
      await expect(events.publishMany([{ type: 'a' }, { type: 'b' }])).resolves.toBeUndefined();
      expect(events.stats).toEqual({ published: 0, failed: 2 });
      expect((await own.collectText()).split('\n')).toContain(`ingest_events_failed_total{app="${APP}"} 2`);
    } finally {
      await own.shutdown();
    }
    expect(await admin.listTopics()).not.toContain(missing);
  });

  it('does not throw when the registry is unreachable, and sends nothing', async () => {
    const before = await admin.fetchTopicOffsets(topic);
    const unreachable = new SchemaRegistry({ host: 'http://127.0.0.1:1/apis/ccompat/v7', retry: { retries: 0 } });
    const events = publisher({ registry: unreachable });
    await expect(events.publish('app.started')).resolves.toBeUndefined();
    expect(events.stats).toEqual({ published: 0, failed: 1 });
    expect(await admin.fetchTopicOffsets(topic)).toEqual(before);
  });
});
