import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frame, unframe } from './framing.js';

describe('frame / unframe', () => {
  it('writes magic 0 and the id big-endian before the body', () => {
    expect([...frame(0x01020304, Buffer.from([9, 8]))]).toEqual([0, 1, 2, 3, 4, 9, 8]);
  });

  it('round-trips any id and body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.uint8Array({ maxLength: 64 }), (id, body) => {
        const framed = unframe(frame(id, Buffer.from(body)));
        expect(framed?.schemaId).toBe(id);
        expect([...(framed?.body ?? [])]).toEqual([...body]);
      }),
    );
  });

  it('frames an empty body into a bare header that still unframes', () => {
    expect(unframe(frame(7, Buffer.alloc(0)))).toEqual({ schemaId: 7, body: Buffer.alloc(0) });
  });

  it('returns undefined for bytes that are not framed', () => {
    expect(unframe(Buffer.from([0, 0, 0, 1]))).toBeUndefined();
    expect(unframe(Buffer.from([1, 0, 0, 0, 1, 2]))).toBeUndefined();
    expect(unframe(Buffer.from('{"tenant":"acme"}'))).toBeUndefined();
    expect(unframe(Buffer.alloc(0))).toBeUndefined();
    expect(unframe('00000' as unknown as Buffer)).toBeUndefined();
  });

  it('refuses ids that do not fit four bytes', () => {
    for (const id of [-1, 2 ** 32, 1.5, Number.NaN]) expect(() => frame(id, Buffer.alloc(0))).toThrow(RangeError);
  });
});
