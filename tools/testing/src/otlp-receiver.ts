// A local OTLP/HTTP trace receiver for tests and the bench: POST /v1/traces in http/protobuf or
// http/json (gzip or not), answered as a collector does, the spans kept in memory. The protobuf
// side reads only the fields of opentelemetry/proto/trace/v1 the mesh's assertions need.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type ReceivedSpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
const KINDS: ReceivedSpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export interface ReceivedSpan {
  service: string | undefined;
  resource: Record<string, unknown>;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: ReceivedSpanKind;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

export interface OtlpReceiver {
  /** The base endpoint, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Export requests received, and their bytes (the bench's cost figures). */
  readonly requests: number;
  readonly bytes: number;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      let body = Buffer.concat(chunks);
      try {
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const json = (req.headers['content-type'] ?? '').startsWith('application/json');
        spans.push(...(json ? decodeJsonTraces(body) : decodeProtobufTraces(body)));
        requests += 1;
        bytes += body.length;
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`could not decode: ${(err as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return requests;
    },
    get bytes() {
      return bytes;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// --- OTLP/JSON --------------------------------------------------------------------------------

interface JsonKeyValue {
  key: string;
  value?: Record<string, unknown>;
}

export function decodeJsonTraces(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
  };
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const status = (s['status'] ?? {}) as { code?: number; message?: string };
        out.push({
          service: resource['service.name'] as string | undefined,
          resource,
          traceId: String(s['traceId'] ?? ''),
          spanId: String(s['spanId'] ?? ''),
          parentSpanId: String(s['parentSpanId'] ?? ''),
          name: String(s['name'] ?? ''),
          kind: KINDS[Number(s['kind'] ?? 0)] ?? 'unspecified',
          attributes: jsonAttributes(s['attributes'] as JsonKeyValue[] | undefined),
          links: ((s['links'] ?? []) as { traceId: string; spanId: string }[]).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          status: { code: status.code ?? 0, message: status.message ?? '' },
        });
      }
    }
  }
  return out;
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value = {} } of list ?? []) {
    if ('stringValue' in value) out[key] = value['stringValue'];
    else if ('intValue' in value) out[key] = Number(value['intValue']);
    else if ('doubleValue' in value) out[key] = Number(value['doubleValue']);
    else if ('boolValue' in value) out[key] = value['boolValue'];
  }
  return out;
}

// --- OTLP/protobuf ----------------------------------------------------------------------------

type Field = { n: number; varint?: bigint; bytes?: Buffer; fixed64?: Buffer };

/** The fields of one protobuf message, in order (wire types 0, 1, 2 and 5). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[at++];
      if (b === undefined) throw new Error('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const tag = Number(varint());
    const n = tag >>> 3;
    switch (tag & 7) {
      case 0:
        out.push({ n, varint: varint() });
        break;
      case 1:
        out.push({ n, fixed64: buf.subarray(at, (at += 8)) });
        break;
      case 2: {
        const len = Number(varint());
        out.push({ n, bytes: buf.subarray(at, (at += len)) });
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
  return out;
}

const all = (fs: Field[], n: number) => fs.filter((f) => f.n === n && f.bytes).map((f) => f.bytes!);
const one = (fs: Field[], n: number) => all(fs, n)[0];
const text = (b: Buffer | undefined) => b?.toString('utf8') ?? '';
const hex = (b: Buffer | undefined) => b?.toString('hex') ?? '';
const num = (fs: Field[], n: number) => Number(fs.find((f) => f.n === n && f.varint !== undefined)?.varint ?? 0n);

export function decodeProtobufTraces(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of all(fields(body), 1).map(fields)) {
    const resourceFields = one(rs, 1);
    const resource = protoAttributes(resourceFields ? all(fields(resourceFields), 1) : []);
    for (const ss of all(rs, 2).map(fields)) {
      for (const s of all(ss, 2).map(fields)) {
        const status = one(s, 15);
        const statusFields = status ? fields(status) : [];
        out.push({
          service: resource['service.name'] as string | undefined,
          resource,
          traceId: hex(one(s, 1)),
          spanId: hex(one(s, 2)),
          parentSpanId: hex(one(s, 4)),
          name: text(one(s, 5)),
          kind: KINDS[num(s, 6)] ?? 'unspecified',
          attributes: protoAttributes(all(s, 9)),
          links: all(s, 13)
            .map(fields)
            .map((l) => ({ traceId: hex(one(l, 1)), spanId: hex(one(l, 2)) })),
          status: { code: num(statusFields, 3), message: text(one(statusFields, 2)) },
        });
      }
    }
  }
  return out;
}

function protoAttributes(keyValues: Buffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of keyValues.map(fields)) {
    const key = text(one(kv, 1));
    const value = one(kv, 2);
    if (!value) continue;
    const v = fields(value)[0];
    if (!v) continue;
    if (v.n === 1) out[key] = text(v.bytes);
    else if (v.n === 2) out[key] = v.varint === 1n;
    else if (v.n === 3) out[key] = Number(BigInt.asIntN(64, v.varint ?? 0n));
    else if (v.n === 4 && v.fixed64) out[key] = v.fixed64.readDoubleLE(0);
  }
  return out;
}
