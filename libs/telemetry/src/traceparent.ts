// W3C Trace Context (https://www.w3.org/TR/trace-context/) carried in Kafka record headers, so a
// record can be followed from its source through every app that touches it.
import { randomBytes } from 'node:crypto';
import type { MessageHeaders } from '@ingest-mesh/kafka-client';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

export interface TraceContext {
  version: string;
  traceId: string;
  spanId: string;
  flags: string;
}

// version-traceid-spanid-flags, lowercase hex; a version after 00 may append fields after a '-'.
const TRACEPARENT_SHAPE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;
const SAMPLED = '01';

/** The fields of a valid traceparent, or undefined (bad shape, version ff, all-zero ids, …). */
export function parseTraceparent(value: string): TraceContext | undefined {
  const match = TRACEPARENT_SHAPE.exec(value);
  if (!match) return undefined;
  const [, version = '', traceId = '', spanId = '', flags = '', extra] = match;
  if (version === 'ff' || (version === '00' && extra !== undefined)) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { version, traceId, spanId, flags };
}

export function isValidTraceparent(value: unknown): value is string {
  return typeof value === 'string' && parseTraceparent(value) !== undefined;
}

/** A new root: random trace and span ids, sampled. */
export function newTraceparent(): string {
  return format(randomId(16), randomId(8), SAMPLED);
}

/** Same trace id and flags as the parent, a new span id; a new root when the parent is invalid. */
export function childTraceparent(parent: string | undefined): string {
  const ctx = parent === undefined ? undefined : parseTraceparent(parent);
  return ctx ? format(ctx.traceId, randomId(8), ctx.flags) : newTraceparent();
}

/**
 * The traceparent of a Kafka record's headers (a Buffer, a string or, for a repeated header, an
 * array). Undefined when missing or invalid, or when repeated with different values:
 * an ambiguous parent is no parent, as W3C asks for a header that cannot be parsed.
 */
export function traceparentFromHeaders(headers: MessageHeaders | undefined): string | undefined {
  const values = headerValues(headers, TRACEPARENT_HEADER);
  const distinct = new Set(values);
  if (distinct.size !== 1) return undefined;
  const [value] = distinct;
  return isValidTraceparent(value) ? value : undefined;
}

/**
 * A copy of `headers` carrying a traceparent: `traceparent` when given and valid, else the valid
 * one already in the headers, else a new root. tracestate is kept only while it belongs to the
 * same trace as the resulting traceparent.
 */
export function withTraceparent(headers: MessageHeaders | undefined, traceparent?: string): MessageHeaders {
  const incoming = traceparentFromHeaders(headers);
  const chosen = isValidTraceparent(traceparent) ? traceparent : (incoming ?? newTraceparent());
  const out: MessageHeaders = {};
  let tracestate: MessageHeaders[string];
  for (const [key, value] of Object.entries(headers ?? {})) {
    const lower = key.toLowerCase();
    if (lower === TRACESTATE_HEADER) tracestate = value;
    else if (lower !== TRACEPARENT_HEADER) out[key] = value;
  }
  out[TRACEPARENT_HEADER] = chosen;
  if (tracestate !== undefined && incoming !== undefined && sameTrace(incoming, chosen)) out[TRACESTATE_HEADER] = tracestate;
  return out;
}

function headerValues(headers: MessageHeaders | undefined, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) values.push(v.toString().trim());
  }
  return values;
}

function sameTrace(a: string, b: string): boolean {
  return parseTraceparent(a)?.traceId === parseTraceparent(b)?.traceId;
}

function format(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

// Ids are cut from a pool of random bytes refilled 4 KiB at a time: one call into the CSPRNG per
// few hundred ids instead of one per id (it showed as 5 % of the router's CPU per record).
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomId(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > pool.length) {
      pool = randomBytes(POOL_BYTES);
      poolOffset = 0;
    }
    const id = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (!ALL_ZERO.test(id)) return id;
  }
}
