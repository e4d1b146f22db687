// The bulky parameter arrays of a batch statement (text and jsonb columns: names, e-mails, JSON
// documents) sent in PostgreSQL's binary array format instead of as array literals. pg sends a
// Buffer parameter as binary; `$n::text[]` then reads it with array_recv. Compared with the
// literal `{"…","…"}`, neither side escapes or scans for quotes: the app writes each element's
// UTF-8 bytes once, the server copies them. Other column types (short values: numbers, booleans,
// timestamps) stay literals, converted by PostgreSQL exactly as before.
//
// Binary array (array_send): int32 ndim, int32 has-nulls flag, int32 element type OID, per
// dimension int32 length and int32 lower bound (1); then per element int32 byte length (-1 for
// NULL) and the element's binary form: text is its UTF-8 bytes; jsonb is a version byte (1)
// followed by the JSON text.
import type { SqlValue } from './column-values.js';
import type { ColumnType } from './table-config.js';

/** Element type OIDs (pg_type) of the types sent in binary. */
const ELEMENT_OID = { text: 25, jsonb: 3802 } as const;
const JSONB_VERSION = 1;
const HEADER_BYTES = 20;

export type BinaryArrayType = keyof typeof ELEMENT_OID;

export function isBinaryArrayType(type: ColumnType): type is BinaryArrayType {
  return type === 'text' || type === 'jsonb';
}

/**
 * One-dimensional binary array of `type` from `values` (strings or null). A value that is not a
 * string cannot be encoded here: it throws, it never becomes something else.
 */
export function binaryArray(type: BinaryArrayType, values: readonly SqlValue[]): Buffer {
  const prefix = type === 'jsonb' ? 1 : 0;
  let size = HEADER_BYTES;
  let hasNull = 0;
  const lengths = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      hasNull = 1;
      lengths[i] = -1;
      size += 4;
      continue;
    }
    if (typeof value !== 'string') throw new TypeError(`a ${type} array element must be a string or null, got ${typeof value}`);
    const bytes = Buffer.byteLength(value, 'utf8');
    lengths[i] = bytes;
    size += 4 + prefix + bytes;
  }
  const buf = Buffer.allocUnsafe(size);
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(hasNull, 4);
  buf.writeInt32BE(ELEMENT_OID[type], 8);
  buf.writeInt32BE(values.length, 12);
  buf.writeInt32BE(1, 16);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    const bytes = lengths[i]!;
    if (bytes < 0) {
      buf.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    buf.writeInt32BE(bytes + prefix, at);
    at += 4;
    if (prefix === 1) buf[at++] = JSONB_VERSION;
    const written = buf.write(values[i] as string, at, bytes, 'utf8');
    if (written !== bytes) throw new Error(`a ${type} array element took ${written} bytes, not the ${bytes} counted`);
    at += written;
  }
  return buf;
}

/** The statement's parameters: text and jsonb arrays in binary, the others as they are (pg makes them literals). */
export function encodeArrays(types: readonly ColumnType[], arrays: readonly SqlValue[][]): (Buffer | SqlValue[])[] {
  return arrays.map((values, i) => {
    const type = types[i];
    if (type === undefined) throw new Error(`no column type for parameter ${i + 1}`);
    return isBinaryArrayType(type) ? binaryArray(type, values) : values;
  });
}
