// The router's HTTP source: POST /ingest/:tenant/:entityType with one JSON record or NDJSON,
// answered 202 only once every record is durably in Kafka (produce resolved, acks -1), and
// GET /openapi.json. Mounted on the runtime's HTTP server through HttpSurface.route.
//
// Order of checks (cheapest first; nothing is read from the body before the caller is known):
//   405 wrong method → 400 bad path encoding → 401 token → 400 unknown entity type → 415 media
//   type → 429 backpressure paused/drain or tenant bucket empty → 413 body over maxBodyBytes →
//   413 record over maxRecordBytes / 400 invalid records → 413 more records than the tenant's
//   burst / 429 not enough tokens → produce → 202, or 503 when produce failed.
// An unknown tenant gets the same 401 as a wrong token (same body, same work): the endpoint
// does not reveal which tenants exist.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenBucket } from '@ingest-mesh/backpressure';
import { SpanKind, TRACING_OFF, UNTRACED, type TraceScope, type Tracing } from '@ingest-mesh/telemetry';
import { tokenMatches, bearerToken } from './auth.js';
import { readBody } from './body.js';
import { ACCEPTED_CONTENT_TYPES, recordFormat } from './content-type.js';
import { toMessages, type WebhookMessage } from './messages.js';
import { parseRecords } from './records.js';
import { retryAfterSeconds, sendJson } from './respond.js';

export interface WebhookTenant {
  /** SHA-256 of the tenant's bearer token (tokenDigest). */
  tokenSha256: Buffer;
  /** Records per second the tenant may send; one token per record. */
  bucket: TokenBucket;
}

export interface WebhookOptions {
  tenants: ReadonlyMap<string, WebhookTenant>;
  /** Writes the messages to ingest.raw, resolving only once they are durable (acks -1). */
  produce(messages: WebhookMessage[]): Promise<void>;
  /** Largest request body; default 5 MiB. */
  maxBodyBytes?: number;
  /** Largest single record (a JSON body, or one NDJSON line). */
  maxRecordBytes: number;
  /** When given, a path entity type it rejects is a 400 before the body is read. */
  isKnownEntityType?: (entityType: string) => boolean;
  /** The app's backpressure: while it does not fetch (paused, drain) the webhook answers 429. */
  backpressure: { readonly state: string; shouldFetch(): boolean };
  openapi: object;
  now?: () => Date;
  /** Retry-After (seconds) while backpressure holds intake and after a failed produce; default 5. */
  retryHintSeconds?: number;
  /** Told about every failed produce (the client gets a 503). */
  onProduceError?: (err: unknown, context: { tenant: string; entityType: string; records: number }) => void;
  /** A span per request (HTTP server), continued from its traceparent header; off when absent. */
  tracing?: Tracing;
}

export interface Webhook {
  route(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
export const DEFAULT_RETRY_HINT_SECONDS = 5;
const INGEST_PATH = /^\/ingest\/([^/]+)\/([^/]+)\/?$/;

export function createWebhook(opts: WebhookOptions): Webhook {
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = opts.now ?? (() => new Date());
  const hint = String(opts.retryHintSeconds ?? DEFAULT_RETRY_HINT_SECONDS);
  const openapiText = JSON.stringify(opts.openapi);
  const tracing = opts.tracing ?? TRACING_OFF;

  function requestScope(req: IncomingMessage, path: string): TraceScope {
    if (!tracing.enabled) return UNTRACED;
    return tracing.scope({
      name: `${req.method ?? 'POST'} /ingest/{tenant}/{entityType}`,
      kind: SpanKind.SERVER,
      parents: [requestTraceparent(req)],
      attributes: { 'http.request.method': req.method ?? '', 'http.route': '/ingest/{tenant}/{entityType}', 'url.path': path },
    });
  }

  async function ingest(req: IncomingMessage, res: ServerResponse, rawTenant: string, rawEntityType: string, trace: TraceScope): Promise<void> {
    const reply = (status: number, body: unknown, headers?: Record<string, string>): void => sendJson(req, res, status, body, headers);
    if (req.method !== 'POST') return reply(405, { error: 'use POST' }, { allow: 'POST' });
    const tenant = decodeSegment(rawTenant);
    const entityType = decodeSegment(rawEntityType);
    if (tenant === undefined || entityType === undefined) return reply(400, { error: 'the path is not valid percent-encoding', errors: [] });

    const known = opts.tenants.get(tenant);
    if (!tokenMatches(bearerToken(req.headers), known?.tokenSha256) || !known) {
      return reply(
        401,
        { error: "missing or wrong bearer token (Authorization: Bearer <the tenant's webhook token>)" },
        { 'www-authenticate': 'Bearer realm="ingest"' },
      );
    }
    if (opts.isKnownEntityType && !opts.isKnownEntityType(entityType)) {
      return reply(400, { error: 'unknown entity type', errors: [{ field: 'entityType', problem: `unknown entity type ${JSON.stringify(entityType)}` }] });
    }
    const format = recordFormat(req.headers['content-type']);
    if (!format) return reply(415, { error: `Content-Type must be one of ${ACCEPTED_CONTENT_TYPES.join(', ')} (UTF-8)` });
    if (!opts.backpressure.shouldFetch()) {
      return reply(429, { error: `intake is held (backpressure ${opts.backpressure.state}); retry later` }, { 'retry-after': hint });
    }
    const empty = known.bucket.msUntilAvailable(1);
    if (empty > 0) return reply(429, { error: `rate limit of tenant ${tenant} reached` }, { 'retry-after': retryAfterSeconds(empty) });

    const receivedAt = now();
    const body = await readBody(req, maxBodyBytes);
    if (body.kind === 'aborted') return void res.destroy();
    if (body.kind === 'too-large') return reply(413, { error: `body over ${maxBodyBytes} bytes; split it into several requests` });

    const parsed = parseRecords(body.body, format, { tenant, entityType, maxRecordBytes: opts.maxRecordBytes, now: () => receivedAt });
    if (!parsed.ok && parsed.status === 413) {
      const where = parsed.line === undefined ? 'the record' : `the record on line ${parsed.line}`;
      return reply(413, {
        error: `${where} is ${parsed.bytes} bytes; the limit is ${opts.maxRecordBytes}`,
        ...(parsed.line === undefined ? {} : { line: parsed.line }),
      });
    }
    if (!parsed.ok) {
      return reply(400, {
        error: `${parsed.errorCount} problem(s) in the records; nothing was accepted`,
        errorCount: parsed.errorCount,
        errors: parsed.errors,
      });
    }

    const n = parsed.envelopes.length;
    if (!known.bucket.tryTake(n)) {
      const wait = known.bucket.msUntilAvailable(n);
      if (wait === Infinity)
        return reply(413, {
          error: `${n} records exceed tenant ${tenant}'s burst of ${known.bucket.burst}; send at most ${Math.floor(known.bucket.burst)} per request`,
        });
      return reply(429, { error: `rate limit of tenant ${tenant} reached for ${n} records` }, { 'retry-after': retryAfterSeconds(wait) });
    }

    const messages = toMessages(parsed.envelopes, requestTraceparent(req), receivedAt, trace);
    trace.setAttributes({ 'mesh.tenant': tenant, 'mesh.entity_type': entityType, 'mesh.records': n });
    try {
      await opts.produce(messages);
    } catch (err) {
      opts.onProduceError?.(err, { tenant, entityType, records: n });
      return reply(
        503,
        {
          error:
            'could not write the records to Kafka; some may have been written. Retry the whole request: records are deduplicated by tenant, source, entityType, id and revision',
        },
        { 'retry-after': hint },
      );
    }
    reply(202, { accepted: n, ids: parsed.envelopes.map((e) => e.id) });
  }

  return {
    async route(req, res) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/openapi.json') {
        if (req.method !== 'GET' && req.method !== 'HEAD') sendJson(req, res, 405, { error: 'use GET' }, { allow: 'GET, HEAD' });
        else {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(openapiText) });
          res.end(req.method === 'HEAD' ? undefined : openapiText);
        }
        return true;
      }
      const match = INGEST_PATH.exec(path);
      if (!match) return false;
      const trace = requestScope(req, path);
      try {
        await ingest(req, res, match[1]!, match[2]!, trace);
      } catch (err) {
        trace.end(err);
        throw err;
      }
      trace.setAttributes({ 'http.response.status_code': res.statusCode });
      trace.end(res.statusCode >= 500 ? new Error(`answered ${res.statusCode}`) : undefined);
      return true;
    },
  };
}

function requestTraceparent(req: IncomingMessage): string | undefined {
  const value = req.headers.traceparent;
  return typeof value === 'string' ? value : undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
