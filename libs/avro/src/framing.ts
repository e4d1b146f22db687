// Confluent wire framing: magic byte 0, the writer schema's registry id as a 4-byte unsigned
// big-endian integer, then the Avro body.
export const MAGIC_BYTE = 0;
export const FRAME_HEADER_BYTES = 5;
const MAX_SCHEMA_ID = 0xffff_ffff;

export interface Unframed {
  schemaId: number;
  body: Buffer;
}

/** RangeError for an id that does not fit the 4-byte header (a programmer error). */
export function frame(schemaId: number, body: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
    throw new RangeError(`schema id must be an integer in [0, ${MAX_SCHEMA_ID}], got ${String(schemaId)}`);
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** True when `buf` starts like a Confluent frame: magic byte 0 and room for the schema id. */
export function isFramed(buf: Buffer): boolean {
  return Buffer.isBuffer(buf) && buf.length >= FRAME_HEADER_BYTES && buf.readUInt8(0) === MAGIC_BYTE;
}

/** undefined when `buf` is not framed: shorter than the header or a magic byte other than 0. */
export function unframe(buf: Buffer): Unframed | undefined {
  if (!isFramed(buf)) return undefined;
  return { schemaId: buf.readUInt32BE(1), body: buf.subarray(FRAME_HEADER_BYTES) };
}
