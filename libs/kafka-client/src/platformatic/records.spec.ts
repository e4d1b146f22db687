import type { KafkaRecord, RecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { messagesOf } from './records.js';

function record(offsetDelta: number, fields: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    length: 0,
    attributes: 0,
    timestampDelta: BigInt(offsetDelta),
    offsetDelta,
    key: null,
    value: Buffer.from(`v${offsetDelta}`),
    headers: [],
    ...fields,
  };
}

function batch(firstOffset: bigint, records: KafkaRecord[], fields: Partial<RecordsBatch> = {}): RecordsBatch {
  return {
    firstOffset,
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: 0,
    lastOffsetDelta: records.length - 1,
    firstTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_700_000_000_999n,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
    records,
    ...fields,
  };
}

describe('messagesOf', () => {
  it('gives offsets and timestamps as decimal strings and bytes as they are', () => {
    const key = Buffer.from([0, 255, 1]);
    const { messages, end } = messagesOf([batch(40n, [record(0, { key }), record(1)])], 40n);
    expect(messages.map((m) => [m.offset, m.timestamp, m.value?.toString()])).toEqual([
      ['40', '1700000000000', 'v0'],
      ['41', '1700000000001', 'v1'],
    ]);
    expect(messages[0]!.key).toBe(key);
    expect(end).toBe(42n);
  });

  it('leaves out records before the offset asked for (a batch can start earlier)', () => {
    const { messages } = messagesOf([batch(10n, [record(0), record(1), record(2)])], 12n);
    expect(messages.map((m) => m.offset)).toEqual(['12']);
  });

  it('steps over transaction markers: no message, but the end moves past them', () => {
    const { messages, end } = messagesOf([batch(5n, [record(0)], { attributes: 0x20 })], 5n);
    expect(messages).toEqual([]);
    expect(end).toBe(6n);
  });

  it('takes the batch time for every record of a log-append-time topic', () => {
    const { messages } = messagesOf([batch(0n, [record(0), record(1)], { attributes: 0x08 })], 0n);
    expect(messages.map((m) => m.timestamp)).toEqual(['1700000000999', '1700000000999']);
  });

  it('gives headers by name, a repeated name as an array, a null value as undefined', () => {
    const headers: [Buffer | null, Buffer | null][] = [
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('b'), null],
      [Buffer.from('a'), Buffer.from('2')],
    ];
    const [message] = messagesOf([batch(0n, [record(0, { headers })])], 0n).messages;
    expect(message!.headers).toEqual({ a: [Buffer.from('1'), Buffer.from('2')], b: undefined });
  });

  it('nothing fetched: no messages and no end', () => {
    expect(messagesOf(null, 0n)).toEqual({ messages: [], end: undefined });
  });
});
