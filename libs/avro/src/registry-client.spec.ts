// createSchemaRegistry against a real HTTP server on loopback that takes requests and, when told
// to, never answers them: the stalled request times out, is retried, and a registry that never
// answers fails with an error the mesh classifies as a retryable timeout.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { classify } from '@ingest-mesh/reason-codes';
import { afterEach, describe, expect, it } from 'vitest';
import { createSchemaRegistry } from './registry-client.js';

const SCHEMA = { type: 'record', name: 'Probe', namespace: 'mesh.test', fields: [{ name: 'id', type: 'string' }] } as const;

/** A registry that answers registrations with id 7, except those `stall` says to leave hanging (n counts them). */
async function registry(stall: (n: number) => boolean): Promise<{ url: string; requests: () => number; server: Server }> {
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
    // The client asks for the subject's compatibility before it registers.
    if (req.method === 'GET' && req.url?.startsWith('/config/')) return res.end(JSON.stringify({ compatibilityLevel: 'BACKWARD' }));
    n += 1;
    if (stall(n)) return;
    res.end(JSON.stringify({ id: 7 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n, server };
}

describe('createSchemaRegistry', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it('abandons a request that gets no answer and registers on the retry', async () => {
    const r = await registry((n) => n === 1);
    server = r.server;
    const client = createSchemaRegistry({ host: r.url, requestTimeoutMs: 200, retries: 2 });
    const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(SCHEMA) }, { subject: 'probe' });
    expect(id).toBe(7);
    expect(r.requests()).toBe(2);
  });

  it('fails after its retries when the registry never answers, as a retryable timeout', async () => {
    const r = await registry(() => true);
    server = r.server;
    const client = createSchemaRegistry({ host: r.url, requestTimeoutMs: 100, retries: 1 });
    const failure = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(SCHEMA) }, { subject: 'probe' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('Timeout (100ms)');
    expect(classify(failure)).toMatchObject({ code: 'SINK_TIMEOUT', retryable: true });
    expect(r.requests()).toBe(2);
  });
});
