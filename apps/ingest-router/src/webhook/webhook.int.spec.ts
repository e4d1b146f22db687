// The webhook mounted on the runtime's HTTP server, producing with a real Kafka producer to a
// topic of its own: a 202 means the records are in Kafka, keyed and with their headers.
import { randomUUID } from 'node:crypto';
import { TokenBucket } from '@ingest-mesh/backpressure';
import { startHttpServer, type RunningHttpServer } from '@ingest-mesh/kafka-runtime';
import { parseTraceparent } from '@ingest-mesh/telemetry';
import { stackEndpoints } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type Consumer, type KafkaMessage, type Producer } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenDigest } from './auth.js';
import { kafkaProduce } from './kafka-produce.js';
import { webhookOpenApi } from './openapi.js';
import { createWebhook } from './webhook.js';

const brokers = stackEndpoints()
  .KAFKA_BROKERS.split(',')
  .map((b) => b.trim());
const run = randomUUID();
const topic = `webhook-int-${run}`;
const groupId = `webhook-int-${run}`;
const TOKEN = `acme-token-${run}`;

describe('webhook → Kafka on the real stack', () => {
  const kafka = createKafkaClient({ clientId: 'webhook-int', brokers, retries: 3, initialRetryTimeMs: 100 });
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;
  let server: RunningHttpServer;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    producer = kafka.producer();
    await producer.connect();
    const webhook = createWebhook({
      tenants: new Map([['acme', { tokenSha256: tokenDigest(TOKEN), bucket: new TokenBucket({ ratePerSec: 100, burst: 100 }) }]]),
      produce: kafkaProduce(producer, topic),
      maxRecordBytes: 1024 * 1024,
      backpressure: { state: 'normal', shouldFetch: () => true },
      openapi: webhookOpenApi,
    });
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      adminToken: `admin-${run}`,
      surface: {
        live: () => true,
        ready: () => true,
        detailed: async () => ({}),
        metrics: (_req, res) => res.end(),
        admin: async () => ({}),
        route: (req, res) => webhook.route(req, res),
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await consumer?.disconnect();
    await producer?.disconnect();
    try {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    } finally {
      await admin.disconnect();
    }
  });

  it('answers 202 for 3 NDJSON records once they are in Kafka, keyed and with their headers', async () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const body = [
      { id: 'c1', revision: 1, payload: { name: 'Ada' } },
      { id: 'c2', revision: '2', priority: 'high', payload: { name: 'Bob' } },
      { id: 'c3', revision: 3, op: 'delete' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const res = await fetch(`http://127.0.0.1:${server.port}/ingest/acme/customer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson', traceparent: parent },
      body,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3, ids: ['c1', 'c2', 'c3'] });

    // Durable before the answer: the topic already holds exactly three records.
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(3);

    consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const messages: KafkaMessage[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
    await expect.poll(() => messages.length, { timeout: 30_000, interval: 100 }).toBe(3);

    const byKey = new Map(messages.map((m) => [m.key?.toString(), m]));
    expect([...byKey.keys()].sort()).toEqual(['acme:customer:c1', 'acme:customer:c2', 'acme:customer:c3']);
    for (const [key, message] of byKey) {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString()]));
      expect(headers['x-mesh-ingest-source']).toBe('webhook');
      expect(new Date(headers['x-mesh-received-at']!).getTime()).not.toBeNaN();
      expect(parseTraceparent(headers.traceparent!)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      const value = JSON.parse(message.value!.toString()) as Record<string, unknown>;
      expect(value).toMatchObject({ tenant: 'acme', source: 'webhook', entityType: 'customer', id: key!.split(':')[2], traceparent: headers.traceparent });
    }
    expect(JSON.parse(byKey.get('acme:customer:c2')!.value!.toString())).toMatchObject({
      revision: 2,
      priority: 'high',
      op: 'upsert',
      payload: { name: 'Bob' },
    });
    expect(JSON.parse(byKey.get('acme:customer:c3')!.value!.toString())).toMatchObject({ revision: 3, op: 'delete', payload: null });
  });
});
