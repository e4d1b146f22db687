// How a partition batch is cut into rounds (one handler call each): at most maxRecords records
// and, in bytes, at most maxBytes. Offsets stay in order; nothing is dropped or reordered.
import type { MessageHeaders } from '@ingest-mesh/kafka-client';
import type { InboundRecord } from './handler.js';

/** What a record weighs in a round: its key, value and header names and values, in bytes. */
export function recordBytes(record: InboundRecord): number {
  const { key, value, headers } = record.message;
  return (key?.length ?? 0) + (value?.length ?? 0) + headerBytes(headers);
}

/**
 * Cuts `records` into consecutive rounds. A round ends before it would exceed maxRecords or
 * maxBytes; a record bigger than maxBytes on its own is a round of its own (never split or dropped).
 */
export function splitRounds(
  records: readonly InboundRecord[],
  maxRecords: number,
  maxBytes: number,
  sizeOf: (record: InboundRecord) => number = recordBytes,
): InboundRecord[][] {
  return chunkBy(records, { maxCount: maxRecords, maxBytes, sizeOf });
}

// The one rule for cutting a sequence by count and bytes: rounds here, a sink's requests in
// sink-kit (re-exported there). Order is kept; an item bigger than maxBytes by itself is a chunk
// of its own, never dropped or split.
export interface ChunkLimits<T> {
  /** Items per chunk, an integer ≥ 1. */
  maxCount: number;
  /** Bytes per chunk (as sizeOf counts them), > 0. */
  maxBytes: number;
  /** The bytes one item adds to a request (its NDJSON lines, its script arguments…). */
  sizeOf: (item: T) => number;
}

/** The items in order, cut into chunks of at most maxCount items and maxBytes bytes. */
export function chunkBy<T>(items: readonly T[], limits: ChunkLimits<T>): T[][] {
  const { maxCount, maxBytes, sizeOf } = limits;
  if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`maxCount must be an integer ≥ 1, got ${maxCount}`);
  if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be > 0, got ${maxBytes}`);
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function headerBytes(headers: MessageHeaders | undefined): number {
  if (!headers) return 0;
  let total = 0;
  for (const [name, raw] of Object.entries(headers)) {
    total += Buffer.byteLength(name);
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (v === undefined || v === null) continue;
      total += Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v));
    }
  }
  return total;
}
