// Against the real stack: the codec registers ControlCommand in the real registry, commands go
// through a real topic, and only the holder of the secret can produce one that verifies.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { InvalidPayloadError } from '@ingest-mesh/reason-codes';
import { stackEndpoints } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type Consumer, type KafkaMessage, type Producer } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlCodec } from './codec.js';
import type { ControlCommand } from './command.js';
import { newCommand } from './new-command.js';
import { ALL_APPS_KEY, publishCommand } from './publish.js';
import { CONTROL_SUBJECT } from './schema.js';
import { signCommand, verifyCommand } from './signature.js';

const SECRET = `int-test-secret-${randomUUID()}`;
const FORGER_SECRET = `forger-secret-${randomUUID()}`;
const topic = `test.control.${randomUUID()}`;
const endpoints = stackEndpoints();
const registryUrl = endpoints.SCHEMA_REGISTRY_URL;

const kafka = createKafkaClient({ clientId: 'control-int-test', brokers: endpoints.KAFKA_BROKERS.split(',') });
let admin: Admin;
let producer: Producer;
let consumer: Consumer;
const registry = new SchemaRegistry({ host: registryUrl });
const codec = new ControlCodec(registry);

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  producer = kafka.producer();
  await producer.connect();
  consumer = kafka.consumer({ groupId: `control-int-${randomUUID()}` });
  await consumer.connect();
});

afterAll(async () => {
  await consumer?.disconnect();
  await producer?.disconnect();
  await admin?.deleteTopics({ topics: [topic] });
  await admin?.disconnect();
});

async function consume(count: number): Promise<KafkaMessage[]> {
  const received: KafkaMessage[] = [];
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${count} messages`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message);
        if (received.length === count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.stop();
  return received;
}

describe('ControlCodec + publishCommand on the real stack', () => {
  it('publishes signed commands that decode and verify, while a forged one decodes but fails verification', async () => {
    const genuine = signCommand(
      newCommand({
        type: 'redrive',
        target: { app: 'sink-postgres', tenant: 'acme', reason: 'CONNECTION_ERROR' },
        args: { limit: '500', dryRun: 'true' },
        issuedBy: 'int-test',
      }),
      SECRET,
    );
    const broadcast = signCommand(newCommand({ type: 'drain', issuedBy: 'int-test' }), SECRET);
    const forged = signCommand(newCommand({ type: 'purge', target: { app: 'sink-postgres' }, issuedBy: 'mallory' }), FORGER_SECRET);

    for (const cmd of [genuine, broadcast, forged]) await publishCommand(producer, codec, cmd, topic);
    const messages = await consume(3);

    expect(messages.map((m) => m.key?.toString())).toEqual(['sink-postgres', ALL_APPS_KEY, 'sink-postgres']);
    const decoded: ControlCommand[] = [];
    for (const m of messages) decoded.push(await codec.decode(m.value as Buffer));
    expect(decoded).toEqual([genuine, broadcast, forged]);

    expect(verifyCommand(decoded[0], SECRET)).toEqual({ ok: true, secretIndex: 0 });
    expect(verifyCommand(decoded[1], SECRET)).toEqual({ ok: true, secretIndex: 0 });
    expect(verifyCommand(decoded[2], SECRET)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('registered the schema under mesh.control-value with the framing id', async () => {
    const id = await codec.schemaId();
    expect(await registry.getLatestSchemaId(CONTROL_SUBJECT)).toBe(id);
    const buf = await codec.encode(signCommand(newCommand({ type: 'resume', issuedBy: 'int-test' }), SECRET));
    expect(buf.readUInt32BE(1)).toBe(id);
    // A second codec (another app) resolves the same id without a new version.
    expect(await new ControlCodec(registry).schemaId()).toBe(id);
  });

  it('rejects bytes framed with a schema id the registry does not know as INVALID_PAYLOAD', async () => {
    const bogus = Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 2, 4, 6]);
    await expect(new ControlCodec(registry).decode(bogus)).rejects.toBeInstanceOf(InvalidPayloadError);
  });
});
