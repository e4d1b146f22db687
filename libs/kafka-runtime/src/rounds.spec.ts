import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { describe, expect, it } from 'vitest';
import type { InboundRecord } from './handler.js';
import { recordBytes, splitRounds } from './rounds.js';

function record(offset: number, valueBytes: number, extra: Partial<KafkaMessage> = {}): InboundRecord {
  const message = { key: null, value: Buffer.alloc(valueBytes), offset: String(offset), timestamp: '0', attributes: 0, headers: {}, ...extra } as KafkaMessage;
  return { topic: 't', partition: 0, message };
}

const offsets = (rounds: InboundRecord[][]) => rounds.map((r) => r.map((x) => Number(x.message.offset)));

describe('recordBytes', () => {
  it('counts key, value, and header names and values', () => {
    const r = record(0, 10, { key: Buffer.from('acme:customer:1'), headers: { traceparent: 'abc', 'x-list': [Buffer.from('12'), '345'] } });
    expect(recordBytes(r)).toBe(15 + 10 + 'traceparent'.length + 3 + 'x-list'.length + 2 + 3);
  });

  it('counts a tombstone (null value) as its key alone', () => {
    expect(recordBytes(record(0, 0, { key: Buffer.from('k'), value: null }))).toBe(1);
  });
});

describe('splitRounds', () => {
  it('cuts by count when records are small', () => {
    const records = Array.from({ length: 7 }, (_, n) => record(n, 10));
    expect(offsets(splitRounds(records, 3, 1_000_000))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('ends a round before it would exceed the byte limit', () => {
    const records = [40, 40, 30, 50, 10, 100].map((size, n) => record(n, size));
    // 40+40 = 80; +30 would be 110 > 100. 30+50+10 = 90; +100 > 100. 100 fits alone exactly.
    expect(offsets(splitRounds(records, 100, 100))).toEqual([[0, 1], [2, 3, 4], [5]]);
  });

  it('puts a record bigger than the byte limit in a round of its own, never dropping it', () => {
    const records = [10, 500, 10, 10, 700].map((size, n) => record(n, size));
    expect(offsets(splitRounds(records, 100, 100))).toEqual([[0], [1], [2, 3], [4]]);
  });

  it('applies whichever limit is reached first, keeps every record once and in order', () => {
    const sizes = Array.from({ length: 200 }, (_, n) => (n * 37) % 113);
    const records = sizes.map((size, n) => record(n, size));
    const rounds = splitRounds(records, 7, 300);
    expect(rounds.flat().map((r) => Number(r.message.offset))).toEqual(sizes.map((_, n) => n));
    for (const round of rounds) {
      expect(round.length).toBeGreaterThan(0);
      expect(round.length).toBeLessThanOrEqual(7);
      const bytes = round.reduce((sum, r) => sum + recordBytes(r), 0);
      if (round.length > 1) expect(bytes).toBeLessThanOrEqual(300);
    }
  });

  it('returns no rounds for no records, and refuses nonsensical limits', () => {
    expect(splitRounds([], 5, 100)).toEqual([]);
    expect(() => splitRounds([record(0, 1)], 0, 100)).toThrow(RangeError);
    expect(() => splitRounds([record(0, 1)], 5, 0)).toThrow(RangeError);
  });
});
