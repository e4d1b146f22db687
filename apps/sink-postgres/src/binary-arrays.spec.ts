import { describe, expect, it } from 'vitest';
import { binaryArray, encodeArrays, isBinaryArrayType } from './binary-arrays.js';

/** Reads back a one-dimensional binary array as array_recv would. */
function decode(buf: Buffer) {
  const ndim = buf.readInt32BE(0);
  const hasNull = buf.readInt32BE(4);
  const oid = buf.readInt32BE(8);
  const length = buf.readInt32BE(12);
  const lowerBound = buf.readInt32BE(16);
  const elements: (Buffer | null)[] = [];
  let at = 20;
  for (let i = 0; i < length; i++) {
    const n = buf.readInt32BE(at);
    at += 4;
    if (n < 0) {
      elements.push(null);
      continue;
    }
    elements.push(buf.subarray(at, at + n));
    at += n;
  }
  return { ndim, hasNull, oid, length, lowerBound, elements, trailing: buf.length - at };
}

describe('binaryArray', () => {
  it('writes a text[] as array_send does: header, then each element as length and UTF-8 bytes', () => {
    const values = ['a', `O'Brien "the {array}, breaker" \\ ü`, '', '日本'];
    const d = decode(binaryArray('text', values));
    expect(d).toMatchObject({ ndim: 1, hasNull: 0, oid: 25, length: 4, lowerBound: 1, trailing: 0 });
    expect(d.elements.map((e) => e!.toString('utf8'))).toEqual(values);
    expect(d.elements[3]!.length).toBe(6); // bytes, not characters
  });

  it('marks NULL elements with length -1 and sets the has-nulls flag', () => {
    const d = decode(binaryArray('text', ['x', null, 'z']));
    expect(d.hasNull).toBe(1);
    expect(d.elements.map((e) => e?.toString('utf8') ?? null)).toEqual(['x', null, 'z']);
  });

  it('writes jsonb elements as the version byte 1 followed by the JSON text', () => {
    const d = decode(binaryArray('jsonb', ['[{"sku":"a"}]', null]));
    expect(d.oid).toBe(3802);
    expect(d.elements[0]![0]).toBe(1);
    expect(d.elements[0]!.subarray(1).toString('utf8')).toBe('[{"sku":"a"}]');
    expect(d.elements[1]).toBeNull();
  });

  it('an empty batch is an array of length 0', () => {
    expect(decode(binaryArray('text', []))).toMatchObject({ ndim: 1, length: 0, hasNull: 0, trailing: 0 });
  });

  it('refuses a value that is not a string instead of sending something else', () => {
    expect(() => binaryArray('text', [1 as unknown as string])).toThrow(/must be a string or null, got number/);
  });
});

describe('encodeArrays', () => {
  it('sends text and jsonb arrays in binary and leaves the other types as arrays for pg', () => {
    const params = encodeArrays(['text', 'bigint', 'jsonb', 'boolean', 'timestamptz'], [['a'], ['3'], ['{}'], [true], ['2025-01-01T00:00:00.000Z']]);
    expect(Buffer.isBuffer(params[0])).toBe(true);
    expect(params[1]).toEqual(['3']);
    expect(Buffer.isBuffer(params[2])).toBe(true);
    expect(params.slice(3)).toEqual([[true], ['2025-01-01T00:00:00.000Z']]);
    expect(['text', 'jsonb', 'bigint', 'integer', 'numeric', 'boolean', 'timestamptz'].filter((t) => isBinaryArrayType(t as never))).toEqual(['text', 'jsonb']);
  });

  it('needs a type for every array', () => {
    expect(() => encodeArrays(['text'], [['a'], ['b']])).toThrow(/no column type for parameter 2/);
  });
});
