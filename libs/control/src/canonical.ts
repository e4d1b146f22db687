// The bytes a control command's signature covers. Binary and length-prefixed, so no two
// different commands share an encoding and no JSON key order or escaping rule can matter.
// The layout is specified in libs/control/README.md ("Canonical encoding"); change it only
// together with CANONICAL_VERSION, the README and its test vector.
import type { UnsignedCommand } from './command.js';

export const CANONICAL_VERSION = 'mesh.control.v1';

const ABSENT = 0x00;
const PRESENT = 0x01;

/** The canonical encoding of every field except the signature. Expects a parsed (valid) command. */
export function canonicalEncoding(cmd: UnsignedCommand): Buffer {
  const parts: Buffer[] = [];
  const str = (value: string): void => {
    const bytes = Buffer.from(value, 'utf8');
    parts.push(u32(bytes.length), bytes);
  };
  const optional = (value: string | null): void => {
    if (value === null) {
      parts.push(Buffer.of(ABSENT));
    } else {
      parts.push(Buffer.of(PRESENT));
      str(value);
    }
  };
  const i64 = (value: number): void => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64BE(BigInt(value));
    parts.push(buf);
  };

  str(CANONICAL_VERSION);
  str(cmd.id);
  str(cmd.type);
  optional(cmd.target.app);
  optional(cmd.target.tenant);
  optional(cmd.target.reason);
  const args = Object.entries(cmd.args)
    .map(([key, value]) => [Buffer.from(key, 'utf8'), value] as const)
    // Byte order of the UTF-8 keys = code point order, the same in every language.
    .sort(([a], [b]) => Buffer.compare(a, b));
  parts.push(u32(args.length));
  for (const [key, value] of args) {
    parts.push(u32(key.length), key);
    str(value);
  }
  str(cmd.issuedBy);
  i64(cmd.issuedAt);
  i64(cmd.expiresAt);
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(n);
  return buf;
}
