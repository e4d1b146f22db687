import fc from 'fast-check';
import type { MessageHeaders } from '@ingest-mesh/kafka-client';
import { describe, expect, it } from 'vitest';
import { childTraceparent, isValidTraceparent, newTraceparent, parseTraceparent, traceparentFromHeaders, withTraceparent } from './traceparent.js';

// W3C Trace Context level 1, version 00: version-traceid-parentid-flags, lowercase hex.
const W3C_V00 = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

describe('newTraceparent', () => {
  it('is valid W3C version 00, sampled, with non-zero ids, and unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const tp = newTraceparent();
      expect(tp).toMatch(W3C_V00);
      expect(tp.endsWith('-01')).toBe(true);
      expect(isValidTraceparent(tp)).toBe(true);
      seen.add(tp);
    }
    expect(seen.size).toBe(200);
  });

  it('stays unique across many refills of the random pool', () => {
    const spans = new Set<string>();
    // 4 KiB pool, 24 bytes per root: 20,000 roots cross the refill boundary over a hundred times.
    for (let i = 0; i < 20_000; i++) spans.add(newTraceparent().slice(3, 52));
    expect(spans.size).toBe(20_000);
  });
});

describe('childTraceparent', () => {
  it('keeps the trace id and flags and takes a new span id', () => {
    const child = childTraceparent(PARENT);
    expect(child).toMatch(W3C_V00);
    const p = parseTraceparent(PARENT)!;
    const c = parseTraceparent(child)!;
    expect(c.traceId).toBe(p.traceId);
    expect(c.flags).toBe(p.flags);
    expect(c.spanId).not.toBe(p.spanId);
  });

  it('keeps the trace id and flags of any valid parent, generation after generation (property)', () => {
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)).filter((s) => /[1-9a-f]/.test(s));
    fc.assert(
      fc.property(hex(32), hex(16), fc.constantFrom('00', '01'), (traceId, spanId, flags) => {
        const parent = `00-${traceId}-${spanId}-${flags}`;
        const grandchild = childTraceparent(childTraceparent(parent));
        expect(grandchild).toMatch(W3C_V00);
        expect(parseTraceparent(grandchild)).toMatchObject({ traceId, flags });
      }),
    );
  });

  it('starts a new trace when the parent is missing or invalid', () => {
    expect(childTraceparent(undefined)).toMatch(W3C_V00);
    expect(parseTraceparent(childTraceparent('garbage'))!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers in version 00 for a parent of a later version', () => {
    const later = '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra';
    const child = childTraceparent(later);
    expect(child).toMatch(W3C_V00);
    expect(parseTraceparent(child)!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('parseTraceparent / isValidTraceparent', () => {
  it.each([
    ['uppercase hex', PARENT.toUpperCase()],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['version 00 with extra fields', `${PARENT}-extra`],
    ['empty', ''],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(isValidTraceparent(value)).toBe(false);
  });

  it('accepts a valid version 00 value and splits it', () => {
    expect(parseTraceparent(PARENT)).toEqual({
      version: '00',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      flags: '01',
    });
  });
});

describe('traceparentFromHeaders', () => {
  it.each<[string, MessageHeaders]>([
    ['a Buffer', { traceparent: Buffer.from(PARENT) }],
    ['a string', { traceparent: PARENT }],
    ['an array with one value', { traceparent: [Buffer.from(PARENT)] }],
    ['a repeated identical value', { traceparent: [PARENT, Buffer.from(PARENT)] }],
    ['a differently cased key', { TraceParent: PARENT }],
  ])('reads %s', (_name, headers) => {
    expect(traceparentFromHeaders(headers)).toBe(PARENT);
  });

  it.each<[string, MessageHeaders | undefined]>([
    ['no headers', undefined],
    ['no traceparent', { other: 'x' }],
    ['an invalid value', { traceparent: Buffer.from('nope') }],
    ['two different values', { traceparent: [PARENT, OTHER] }],
  ])('gives undefined for %s', (_name, headers) => {
    expect(traceparentFromHeaders(headers)).toBeUndefined();
  });
});

describe('withTraceparent', () => {
  it('keeps the incoming traceparent and tracestate and other headers, without mutating the input', () => {
    const headers: MessageHeaders = { traceparent: Buffer.from(PARENT), tracestate: 'vendor=x', tenant: 'acme' };
    const out = withTraceparent(headers);
    expect(out).toEqual({ traceparent: PARENT, tracestate: 'vendor=x', tenant: 'acme' });
    expect(Buffer.isBuffer(headers.traceparent)).toBe(true);
  });

  it('starts a new trace (and drops a stray tracestate) when none is valid', () => {
    const out = withTraceparent({ traceparent: 'bad', tracestate: 'vendor=x' });
    expect(out.traceparent).toMatch(W3C_V00);
    expect(out.tracestate).toBeUndefined();
    expect(withTraceparent(undefined).traceparent).toMatch(W3C_V00);
  });

  it('uses an explicit traceparent; tracestate only survives within the same trace', () => {
    const child = childTraceparent(PARENT);
    expect(withTraceparent({ traceparent: PARENT, tracestate: 'v=1' }, child)).toEqual({ traceparent: child, tracestate: 'v=1' });
    expect(withTraceparent({ traceparent: PARENT, tracestate: 'v=1' }, OTHER)).toEqual({ traceparent: OTHER });
  });

  it('ignores an invalid explicit traceparent', () => {
    expect(withTraceparent({ traceparent: PARENT }, 'nope').traceparent).toBe(PARENT);
  });
});
