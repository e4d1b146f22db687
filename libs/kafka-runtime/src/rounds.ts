// How a partition batch is cut into rounds (one handler call each): at most maxRecords records
// and, in bytes, at most maxBytes. Offsets stay in order; nothing is dropped or reordered.
import type { IHeaders } from 'kafkajs';
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
export function splitRounds(records: readonly InboundRecord[], maxRecords: number, maxBytes: number, sizeOf: (record: InboundRecord) => number = recordBytes): InboundRecord[][] {
  if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new RangeError(`maxRecords must be an integer >= 1, got ${maxRecords}`);
  if (!(maxBytes >= 1)) throw new RangeError(`maxBytes must be >= 1, got ${maxBytes}`);
  const rounds: InboundRecord[][] = [];
  let round: InboundRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = sizeOf(record);
    if (round.length > 0 && (round.length >= maxRecords || bytes + size > maxBytes)) {
      rounds.push(round);
      round = [];
      bytes = 0;
    }
    round.push(record);
    bytes += size;
  }
  if (round.length > 0) rounds.push(round);
  return rounds;
}

function headerBytes(headers: IHeaders | undefined): number {
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
