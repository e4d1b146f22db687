// The SDK's OTLP exporters as startTracing wires them, over loopback HTTP to a local receiver: both
// protocols, with and without gzip, the headers sent, and a down collector only warned about.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startOtlpReceiver, type OtlpReceiver } from '@ingest-mesh/testing';
import type { Logger } from '../logger.js';
import { parseEnv } from '@ingest-mesh/env-config';
import { tracingEnvShape, tracingSettingsOf, type OtlpProtocol } from './tracing-env.js';
import { SpanKind, startTracing } from './tracing.js';

const settingsOf = (vars: Record<string, string>) => tracingSettingsOf(parseEnv(tracingEnvShape, vars));
const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('startTracing exports over OTLP/HTTP', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());

  const cases: [OtlpProtocol, 'gzip' | 'none'][] = [
    ['http/protobuf', 'none'],
    ['http/protobuf', 'gzip'],
    ['http/json', 'none'],
    ['http/json', 'gzip'],
  ];
  it.each(cases)('%s, compression %s: the unit, its child and its links arrive with the resource', async (protocol, compression) => {
    const settings = settingsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_COMPRESSION: compression,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    });
    const tracing = startTracing({ app: 'sink-postgres', instanceId: `sink-postgres-${protocol}-${compression}`, settings });
    const other = '00-11111111111111111111111111111111-2222222222222222-01';
    const scope = tracing.scope({
      name: 'process sink.postgres',
      kind: SpanKind.CONSUMER,
      parents: [PARENT, other],
      attributes: { 'messaging.batch.message_count': 2 },
    });
    scope.child('write postgres', { 'mesh.sink.records': 2 }, SpanKind.CLIENT).end(new Error('deadlock detected'));
    scope.end();
    await tracing.shutdown();

    const mine = receiver.spans.filter((s) => s.resource['service.instance.id'] === `sink-postgres-${protocol}-${compression}`);
    const unit = mine.find((s) => s.name === 'process sink.postgres');
    const write = mine.find((s) => s.name === 'write postgres');
    expect(unit).toMatchObject({
      service: 'sink-postgres',
      resource: { 'deployment.environment.name': 'test', 'service.namespace': 'ingest-mesh' },
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      kind: 'consumer',
      attributes: { 'messaging.batch.message_count': 2 },
      links: [{ traceId: '11111111111111111111111111111111', spanId: '2222222222222222' }],
    });
    expect(write).toMatchObject({
      kind: 'client',
      parentSpanId: unit!.spanId,
      status: { code: 2, message: 'deadlock detected' },
      attributes: { 'mesh.sink.records': 2 },
    });
  });

  it('sends the OTEL_EXPORTER_OTLP_HEADERS with each export', async () => {
    const seen: (string | undefined)[] = [];
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      seen.push(req.headers['authorization']);
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const settings = settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20k3y' });
    const tracing = startTracing({ app: 'a', instanceId: 'a-1', settings });
    tracing.scope({ name: 'x', kind: SpanKind.INTERNAL, parents: [PARENT] }).end();
    await tracing.shutdown();
    await new Promise((resolve) => server.close(resolve));
    expect(seen).toEqual(['Bearer k3y']);
  });

  it('warns once when the collector cannot be reached, without the endpoint’s password', async () => {
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const logger = { warn: (obj: Record<string, unknown>, msg: string) => warnings.push({ obj, msg }) } as unknown as Logger;
    const port = await freePort(); // nothing listens there
    const settings = settingsOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://u:s3cret@127.0.0.1:${port}/v1/traces`, OTEL_EXPORTER_OTLP_TIMEOUT: '2000' });
    const tracing = startTracing({ app: 'a', instanceId: 'a-2', settings, logger });
    tracing.scope({ name: 'x', kind: SpanKind.INTERNAL, parents: [PARENT] }).end();
    await tracing.forceFlush().catch(() => undefined);
    tracing.scope({ name: 'y', kind: SpanKind.INTERNAL, parents: [PARENT] }).end();
    await tracing.forceFlush().catch(() => undefined);
    await tracing.shutdown().catch(() => undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: 'could not export spans over OTLP; they are dropped',
      obj: { droppedSpans: 1, endpoint: `http://u:***@127.0.0.1:${port}/v1/traces` },
    });
    expect(JSON.stringify(warnings)).not.toContain('s3cret');
  });
});
