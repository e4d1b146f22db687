// A fetched partition's record batches as the port's messages: bytes untouched (no
// deserialisation), offsets and timestamps as decimal strings, headers by name (a name written
// twice gives an array, as kafkajs gives it), transaction markers left out.
import type { RecordsBatch } from '@platformatic/kafka';
import type { KafkaMessage, MessageHeaders } from '../port.js';

/** Batch attribute bits (Kafka's RecordBatch v2). */
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;
const CONTROL_BATCH = 0x20;

export interface PartitionRecords {
  messages: KafkaMessage[];
  /** Past the last offset of the fetched batches (control ones included), or undefined if none came. */
  end: bigint | undefined;
}

/** The records at or after `from` (a fetch can return a batch that starts before the offset asked for). */
export function messagesOf(batches: readonly RecordsBatch[] | null | undefined, from: bigint): PartitionRecords {
  const messages: KafkaMessage[] = [];
  let end: bigint | undefined;
  for (const batch of batches ?? []) {
    end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (batch.attributes & CONTROL_BATCH) continue;
    const logAppendTime = (batch.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < from) continue;
      const timestamp = logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta;
      messages.push({
        key: record.key,
        value: record.value,
        headers: headersOf(record.headers),
        offset: offset.toString(),
        timestamp: timestamp.toString(),
        attributes: record.attributes,
      });
    }
  }
  return { messages, end };
}

/** A null header value reads as undefined, and inside a repeated header as empty bytes (the port's arrays hold no nulls). */
function headersOf(entries: readonly [Buffer | null, Buffer | null][]): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const [rawKey, rawValue] of entries) {
    const key = rawKey?.toString('utf8') ?? '';
    const value = rawValue ?? undefined;
    if (!Object.hasOwn(headers, key)) {
      headers[key] = value;
      continue;
    }
    const seen = headers[key];
    if (Array.isArray(seen)) seen.push(value ?? EMPTY);
    else headers[key] = [seen ?? EMPTY, value ?? EMPTY];
  }
  return headers;
}

const EMPTY = Buffer.alloc(0);
