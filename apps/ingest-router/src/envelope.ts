// The envelope every raw record carries (JSON, or Confluent-framed Avro of mesh.RawEnvelope),
// checked field by field. Bad bytes and bad fields become typed errors with a reason code.
import { OPERATION_SYMBOLS, PRIORITY_SYMBOLS, type Operation, type Priority } from '@ingest-mesh/contracts';
import { InvalidPayloadError, PayloadTooLargeError, ValidationError } from '@ingest-mesh/reason-codes';
import { z } from 'zod';

export type { Operation, Priority };

export interface Envelope {
  tenant: string;
  source: string;
  entityType: string;
  id: string;
  revision: number;
  occurredAt: Date;
  priority: Priority;
  op: Operation;
  /** The entity as JSON (JSON envelopes), or already decoded Avro (Avro envelopes), or null for delete. */
  payload: unknown;
  /** Framed Avro bytes of the entity when the envelope was Avro. */
  payloadAvro?: Buffer | undefined;
  traceparent?: string | undefined;
}

const name = z
  .string({ error: 'expected a non-empty string' })
  .trim()
  .min(1, { error: 'expected a non-empty string' })
  .max(256, { error: 'longer than 256 characters' });

const revision = z.union([z.number(), z.string()], { error: 'expected a non-negative integer up to 2^53-1' }).transform((v, ctx) => {
  const text = typeof v === 'string' ? v.trim() : typeof v === 'number' && !Number.isSafeInteger(v) ? 'x' : String(v);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    ctx.addIssue({ code: 'custom', message: 'expected a non-negative integer up to 2^53-1' });
    return z.NEVER;
  }
  return Number(text);
});

const occurredAt = z.union([z.string(), z.number()], { error: 'expected an ISO-8601 time or epoch milliseconds' }).transform((v, ctx) => {
  const date = new Date(v);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return date;
});

export const envelopeSchema = z.object({
  tenant: name,
  source: name,
  entityType: name,
  id: name,
  revision,
  occurredAt: occurredAt.optional(),
  priority: z.enum(PRIORITY_SYMBOLS, { error: `expected ${PRIORITY_SYMBOLS.join(', ').replace(/, (?=[^,]*$)/, ' or ')}` }).optional(),
  op: z.enum(OPERATION_SYMBOLS, { error: `expected ${OPERATION_SYMBOLS.join(' or ')}` }).optional(),
  payload: z.union([z.record(z.string(), z.unknown()), z.null()], { error: 'expected an object (or null for op delete)' }).optional(),
  traceparent: z.string().optional(),
});

export interface FieldProblem {
  field: string;
  problem: string;
}

/** Field-level problems of a would-be envelope, or the envelope. */
export function checkEnvelope(value: unknown, now: () => Date = () => new Date()): { ok: true; envelope: Envelope } | { ok: false; problems: FieldProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problems: [{ field: '', problem: 'expected a JSON object' }] };
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => {
        const top = i.path[0];
        const missing = i.path.length === 1 && typeof top === 'string' && (value as Record<string, unknown>)[top] === undefined;
        return { field: i.path.join('.') || '', problem: missing ? 'required field missing' : i.message };
      }),
    };
  }
  const e = parsed.data;
  const op = e.op ?? 'upsert';
  if (op === 'upsert' && (e.payload === undefined || e.payload === null))
    return { ok: false, problems: [{ field: 'payload', problem: 'required for op upsert' }] };
  return {
    ok: true,
    envelope: {
      tenant: e.tenant,
      source: e.source,
      entityType: e.entityType,
      id: e.id,
      revision: e.revision,
      occurredAt: e.occurredAt ?? now(),
      priority: e.priority ?? 'normal',
      op,
      payload: op === 'delete' ? null : e.payload,
      traceparent: e.traceparent,
    },
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How deep a JSON record (a webhook record, or a JSON envelope on the raw topic) may nest objects
 * and arrays, the record itself being level 1 (so its payload is level 2). A deeper record is
 * refused before it is parsed: nothing recursive (re-serialising it for ingest.raw, schema
 * conversion, rules) ever sees it, so none can overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** What is wrong with a record nested deeper than MAX_JSON_DEPTH (after "record " or "the record "). */
export const TOO_DEEP_PROBLEM = `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays (the limit)`;

/** A Kafka tombstone on the raw topic: a delete is an envelope, not a null value. */
export const TOMBSTONE_PROBLEM = 'a Kafka tombstone (null value) is not an envelope: to delete an entity send an envelope with op "delete" and a revision';

/**
 * True when JSON text nests objects and arrays deeper than `limit`. One pass over the text,
 * no recursion and no parsing: brackets inside strings (escapes included) do not count.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export interface NonFiniteNumber {
  /** Where, below `root`: `payload.price`, `payload.items[1].score`, `payload["a.b"]`. */
  path: string;
  /** Infinity or -Infinity: what JSON.parse makes of a number beyond ±1.8e308, such as 1e400. */
  value: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The numbers of a parsed JSON value that are not finite (at most `max`, in document order).
 * JSON.stringify writes them as null, so a record holding one cannot be passed on unchanged.
 * Recursive: call it only on values whose depth is bounded (MAX_JSON_DEPTH).
 */
export function nonFiniteNumbers(value: unknown, root: string, max = 100): NonFiniteNumber[] {
  const found: NonFiniteNumber[] = [];
  const walk = (v: unknown, path: string): void => {
    if (found.length >= max) return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) found.push({ path, value: v });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) walk(item, IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);
    }
  };
  walk(value, root);
  return found;
}

/** The field-level problem of a non-finite number (the webhook's 400). */
export function nonFiniteProblem(value: number): string {
  return `expected a finite number, got ${String(value)} (a JSON number beyond ±1.8e308, such as 1e400); no schema type takes it`;
}

/** PayloadTooLargeError for a record (JSON or Avro) over limits.maxRecordBytes. */
export function assertRecordSize(bytes: Buffer, maxRecordBytes: number): void {
  if (bytes.length > maxRecordBytes) {
    throw new PayloadTooLargeError(`record is ${bytes.length} bytes; the limit is ${maxRecordBytes} (limits.maxRecordBytes)`);
  }
}

/** A JSON envelope from raw bytes: size, UTF-8, nesting depth, JSON, then fields. */
export function parseJsonEnvelope(bytes: Buffer, maxRecordBytes: number): Envelope {
  assertRecordSize(bytes, maxRecordBytes);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new InvalidPayloadError('record is not valid UTF-8 (and not Confluent-framed Avro)');
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new InvalidPayloadError(`record ${TOO_DEEP_PROBLEM}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidPayloadError(`record is not JSON: ${(err as Error).message}`);
  }
  return envelopeOrThrow(json);
}

export function envelopeOrThrow(value: unknown): Envelope {
  const checked = checkEnvelope(value);
  if (checked.ok) return checked.envelope;
  const first = checked.problems[0]!;
  const all = checked.problems.map((p) => `${p.field || '(record)'}: ${p.problem}`).join('; ');
  throw new ValidationError(`invalid envelope: ${all}`, { field: first.field, rule: 'envelope' });
}
