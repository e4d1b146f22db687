// A webhook body → envelopes, all or nothing. A record is the envelope without tenant and
// entityType (they come from the path; when a record repeats them they must match), `source`
// defaults to 'webhook'. Every record is checked before any is accepted; the problems of all
// records are reported at once, each naming its line (NDJSON) and field.
// A record is written to ingest.raw re-serialised, so one that could not be written unchanged is
// refused: nested deeper than MAX_JSON_DEPTH (checked before parsing), or holding a number that is
// not finite (1e400 parses as Infinity, which JSON.stringify would write as null).
import { checkEnvelope, MAX_JSON_DEPTH, nestsDeeperThan, nonFiniteNumbers, nonFiniteProblem, TOO_DEEP_PROBLEM, type Envelope } from '../envelope.js';
import type { RecordFormat } from './content-type.js';

export const WEBHOOK_SOURCE = 'webhook';
/** At most this many problems are listed in one 400 response; `errorCount` has the total. */
export const MAX_REPORTED_ERRORS = 100;

export interface RecordProblem {
  /** 1-based line of the NDJSON body; absent for an application/json body. */
  line?: number;
  /** The envelope field, '' for the record as a whole (not JSON, not an object). */
  field: string;
  problem: string;
}

export interface RecordContext {
  tenant: string;
  entityType: string;
  maxRecordBytes: number;
  now: () => Date;
}

export type ParseResult =
  | { ok: true; envelopes: Envelope[] }
  | { ok: false; status: 400; errors: RecordProblem[]; errorCount: number }
  | { ok: false; status: 413; line?: number; bytes: number };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = 0x0a;

export function parseRecords(body: Buffer, format: RecordFormat, ctx: RecordContext): ParseResult {
  const slices = format === 'json' ? [{ line: undefined, bytes: body }] : ndjsonLines(body);
  const envelopes: Envelope[] = [];
  const errors: RecordProblem[] = [];
  for (const { line, bytes } of slices) {
    if (bytes.length > ctx.maxRecordBytes) return { ok: false, status: 413, bytes: bytes.length, ...(line === undefined ? {} : { line }) };
    const checked = parseRecord(bytes, ctx);
    if (checked.ok) envelopes.push(checked.envelope);
    else for (const p of checked.problems) errors.push(line === undefined ? p : { line, ...p });
  }
  if (errors.length > 0) return { ok: false, status: 400, errors: errors.slice(0, MAX_REPORTED_ERRORS), errorCount: errors.length };
  if (envelopes.length === 0) return { ok: false, status: 400, errors: [{ field: '', problem: 'the body holds no records' }], errorCount: 1 };
  return { ok: true, envelopes };
}

/** Non-blank lines of an NDJSON body, numbered from 1 (blank lines count but carry no record). */
function ndjsonLines(body: Buffer): { line: number; bytes: Buffer }[] {
  const lines: { line: number; bytes: Buffer }[] = [];
  let start = 0;
  for (let line = 1; start <= body.length; line++) {
    const nl = body.indexOf(NEWLINE, start);
    const end = nl === -1 ? body.length : nl;
    let bytes = body.subarray(start, end);
    if (bytes.at(-1) === 0x0d) bytes = bytes.subarray(0, -1);
    if (!isBlank(bytes)) lines.push({ line, bytes });
    if (nl === -1) break;
    start = nl + 1;
  }
  return lines;
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

type Checked = { ok: true; envelope: Envelope } | { ok: false; problems: RecordProblem[] };

function parseRecord(bytes: Buffer, ctx: RecordContext): Checked {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, problems: [{ field: '', problem: 'not valid UTF-8' }] };
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return { ok: false, problems: [{ field: '', problem: `the record ${TOO_DEEP_PROBLEM}` }] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [{ field: '', problem: `invalid JSON: ${(err as Error).message}` }] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, problems: [{ field: '', problem: 'expected a JSON object (one record; send several as application/x-ndjson)' }] };
  }
  const record = json as Record<string, unknown>;
  const problems: RecordProblem[] = [];
  for (const field of ['tenant', 'entityType'] as const) {
    if (record[field] !== undefined && record[field] !== ctx[field]) {
      problems.push({ field, problem: `does not match the path (${JSON.stringify(ctx[field])}); leave it out or repeat the path's value` });
    }
  }
  const merged = { ...record, tenant: ctx.tenant, entityType: ctx.entityType, source: record.source === undefined ? WEBHOOK_SOURCE : record.source };
  const checked = checkEnvelope(merged, ctx.now);
  if (!checked.ok) problems.push(...checked.problems);
  // Of the record, only the payload is passed on as given (a delete's is dropped; envelope fields are checked above).
  if (record.op !== 'delete') {
    for (const n of nonFiniteNumbers(record.payload, 'payload', MAX_REPORTED_ERRORS)) problems.push({ field: n.path, problem: nonFiniteProblem(n.value) });
  }
  if (problems.length > 0 || !checked.ok) return { ok: false, problems };
  return { ok: true, envelope: checked.envelope };
}
