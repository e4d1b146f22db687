// JSON → Avro for the leaf types. Each returns the Avro value or a problem in words.
import { describeValue, typeLabel } from './json-describe.js';
import { parseIsoTimestamp } from './json-timestamp.js';
import type { AvroType } from './parse-schema.js';

export type Leaf = { ok: true; value: unknown } | { ok: false; problem: string };

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

function ok(value: unknown): Leaf {
  return { ok: true, value };
}

function expected(type: AvroType, json: unknown, detail = ''): Leaf {
  return { ok: false, problem: `expected ${typeLabel(type)}, got ${describeValue(json)}${detail}` };
}

function isInteger(json: unknown): json is number {
  return typeof json === 'number' && Number.isInteger(json);
}

/** Standard base64 (RFC 4648 §4), padding optional; nothing else decodes to the same text. */
export function decodeBase64(text: string): Buffer | undefined {
  const unpadded = text.replace(/={1,2}$/, '');
  if (unpadded.length % 4 === 1 || !/^[A-Za-z0-9+/]*$/.test(unpadded)) return undefined;
  const bytes = Buffer.from(unpadded, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === unpadded ? bytes : undefined;
}

function bytesOf(type: AvroType, json: unknown, size?: number): Leaf {
  const bytes = Buffer.isBuffer(json) ? json : typeof json === 'string' ? decodeBase64(json) : undefined;
  if (bytes === undefined) return expected(type, json, typeof json === 'string' ? ' (not standard base64)' : '');
  if (size !== undefined && bytes.length !== size) return expected(type, json, ` (${bytes.length} bytes)`);
  return ok(bytes);
}

function timestampOf(type: AvroType, json: unknown): Leaf {
  if (typeof json === 'number') return Number.isSafeInteger(json) ? ok(json) : expected(type, json, ' (not an integer)');
  if (typeof json === 'string') {
    const millis = parseIsoTimestamp(json);
    return millis === undefined ? expected(type, json, ' (not an ISO-8601 date or zoned date-time)') : ok(millis);
  }
  if (json instanceof Date && !Number.isNaN(json.getTime())) return ok(json.getTime());
  return expected(type, json);
}

/** undefined when `type` is not a leaf type. */
export function convertLeaf(type: AvroType, json: unknown): Leaf | undefined {
  switch (type.typeName) {
    case 'null':
      return json === null ? ok(null) : expected(type, json);
    case 'boolean':
      return typeof json === 'boolean' ? ok(json) : expected(type, json);
    case 'int':
      if (!isInteger(json)) return expected(type, json);
      return json >= INT_MIN && json <= INT_MAX ? ok(json) : expected(type, json, ' (outside the 32-bit range)');
    case 'long':
      if (!isInteger(json)) return expected(type, json);
      return Number.isSafeInteger(json) ? ok(json) : expected(type, json, ' (beyond ±(2^53-1): not exact as a JSON number)');
    case 'float':
    case 'double':
      return typeof json === 'number' && Number.isFinite(json) ? ok(json) : expected(type, json);
    case 'string':
      return typeof json === 'string' ? ok(json) : expected(type, json);
    case 'bytes':
      return bytesOf(type, json);
    case 'fixed':
      return bytesOf(type, json, (type as unknown as { size: number }).size);
    case 'enum': {
      const symbols = (type as unknown as { symbols: string[] }).symbols;
      return typeof json === 'string' && symbols.includes(json) ? ok(json) : expected(type, json);
    }
    case 'logical:timestamp-millis':
      return timestampOf(type, json);
    default:
      return undefined;
  }
}
