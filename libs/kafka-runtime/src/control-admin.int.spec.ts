// An app on the runtime, in-process on the real stack, steered the two ways operators steer it:
// signed control commands on the control topic, and token-protected admin endpoints. Forged
// or garbled commands are rejected and reported on mesh.events.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ControlCodec, newCommand, publishCommand, signCommand, type ControlCommandType } from '@ingest-mesh/control';
import { decodeMeshEvent, type MeshEvent } from '@ingest-mesh/telemetry';
import { parseEnv } from '@ingest-mesh/env-config';
import { stackEndpoints, waitFor } from '@ingest-mesh/testing';
import { createKafkaClient, kafkaClientKind, type Consumer, type Producer } from '@ingest-mesh/kafka-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeEnvShape } from './config.js';
import { startMeshApp, type MeshApp } from './mesh-app.js';

const run = randomUUID().slice(0, 8);
const appName = `control-test-${run}`;
const topic = `test.control-app.${run}`;
const controlTopic = `test.mesh.control.${run}`;
const secret = `control-secret-${randomUUID()}`;
const adminToken = `admin-${randomUUID()}`;
const endpoints = stackEndpoints();
const brokers = endpoints.KAFKA_BROKERS.split(',');
const registry = new SchemaRegistry({ host: endpoints.SCHEMA_REGISTRY_URL });
const kafka = createKafkaClient({ clientId: `control-int-${run}`, brokers });
const codec = new ControlCodec(registry);
const events: MeshEvent[] = [];

let app: MeshApp;
let producer: Producer;
let eventsConsumer: Consumer;
let base: string;

const detailed = async () =>
  (await (await fetch(`${base}/health/detailed`)).json()) as { kafkaClient: string; tracing: unknown; backpressure: { state: string; sampleRate: number } };
const stateIs = (state: string) => waitFor(`state ${state}`, async () => ((await detailed()).backpressure.state === state ? true : undefined));

async function command(type: ControlCommandType, signWith = secret, args: Record<string, string> = {}) {
  const cmd = signCommand(newCommand({ type, target: { app: appName }, args, issuedBy: 'control-admin.int.spec' }), signWith);
  await publishCommand(producer, codec, cmd, controlTopic);
  return cmd;
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const env = parseEnv(runtimeEnvShape, {
    ...process.env,
    MESH_ADMIN_TOKEN: adminToken,
    MESH_CONTROL_SECRET: secret,
    MESH_CONTROL_TOPIC: controlTopic,
    MESH_HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    // Tracing off whatever the shell says (an empty value counts as unset).
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
  });
  app = await startMeshApp({ app: appName, topics: [topic], env, handler: { handle: async (records) => records.map(() => ({ status: 'done' as const })) } });
  base = `http://127.0.0.1:${app.httpPort}`;
  producer = kafka.producer();
  await producer.connect();
  eventsConsumer = kafka.consumer({ groupId: `control-int-events-${run}` });
  await eventsConsumer.connect();
  await eventsConsumer.subscribe({ topics: ['mesh.events'], fromBeginning: false });
  await eventsConsumer.run({
    eachMessage: async ({ message }) => {
      const event = await decodeMeshEvent(registry, message.value!);
      if (event.app === appName) events.push(event);
    },
  });
  await waitFor('the app to be ready', async () => ((await fetch(`${base}/health/ready`)).status === 200 ? true : undefined), 60_000);
}, 120_000);

afterAll(async () => {
  await app?.stop('test finished');
  await eventsConsumer?.disconnect();
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, controlTopic, `dlq.${appName}`] }).catch(() => undefined);
  await admin.deleteGroups([`mesh.${appName}`, `control-int-events-${run}`]).catch(() => undefined);
  await admin.disconnect();
}, 60_000);

describe('control commands', () => {
  it('reports the Kafka adapter MESH_KAFKA_CLIENT chose in /health/detailed', async () => {
    expect((await detailed()).kafkaClient).toBe(kafkaClientKind());
  });

  it('reports tracing off in /health/detailed when no OTLP endpoint is set', async () => {
    expect((await detailed()).tracing).toEqual({ enabled: false });
  });

  it('applies signed drain, brownout and resume meant for this app', async () => {
    await command('drain');
    await stateIs('drain');
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    await command('resume');
    await stateIs('normal');
    await command('brownout', secret, { sampleRate: '0.3' });
    await stateIs('brownout');
    expect((await detailed()).backpressure.sampleRate).toBe(0.3);
    await command('resume');
    await stateIs('normal');
    const applied = await waitFor('control.applied events', async () => (events.filter((e) => e.type === 'control.applied').length >= 4 ? events : undefined));
    expect(applied.filter((e) => e.type === 'control.applied').map((e) => e.data['type'])).toEqual(['drain', 'resume', 'brownout', 'resume']);
  });

  it('rejects a forged command and garbage, reports both, and changes nothing', async () => {
    const forged = await command('pause', `another-secret-${randomUUID()}`);
    await producer.send({ topic: controlTopic, messages: [{ value: Buffer.from('not a command at all') }] });
    const rejected = await waitFor('two control.rejected events', async () => {
      const r = events.filter((e) => e.type === 'control.rejected');
      return r.length >= 2 ? r : undefined;
    });
    expect(rejected.map((e) => e.data['reason']).sort()).toEqual(['bad-signature', 'malformed']);
    expect(rejected.find((e) => e.data['reason'] === 'bad-signature')!.data['commandId']).toBe(forged.id);
    expect((await detailed()).backpressure.state).toBe('normal');
  });
});

describe('admin endpoints', () => {
  it('need the token, then pause and resume, and the state shows in /metrics', async () => {
    expect((await fetch(`${base}/admin/pause`, { method: 'POST' })).status).toBe(401);
    expect((await detailed()).backpressure.state).toBe('normal');
    const res = await fetch(`${base}/admin/pause`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'paused' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`ingest_backpressure_state{app="${appName}",state="paused"} 1`);
    expect(metrics).toContain(`ingest_backpressure_state{app="${appName}",state="normal"} 0`);
    await fetch(`${base}/admin/resume`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    await stateIs('normal');
  });
});
