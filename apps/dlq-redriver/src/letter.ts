// A dead letter as the store keeps it, read from the DLQ record without I/O: the mesh headers
// as fields, the original key, value and headers kept byte for byte for the redrive.
import type { MessageHeaders } from '@ingest-mesh/kafka-client';
import { DLQ_HEADERS, REDRIVE_HEADERS, headerInt, headerString, type InboundRecord } from '@ingest-mesh/kafka-runtime';

/** Added by the redriver next to x-mesh-redrive-id: how many redrives this record has had. */
export const REDRIVE_ATTEMPT_HEADER = 'x-mesh-redrive-attempt';

export type LetterStatus = 'new' | 'redriving' | 'redriven' | 'quarantined' | 'archived' | 'purged';

export interface Letter {
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  originTopic: string | null;
  originPartition: number | null;
  originOffset: string | null;
  app: string;
  reason: string;
  retryable: boolean;
  attempts: number;
  redriveAttempt: number;
  redriveId: string | null;
  firstFailureAt: string | null;
  lastFailureAt: string;
  error: string | null;
  tenant: string | null;
  dedupeKey: string | null;
  key: Buffer | null;
  payload: Buffer | null;
  /** name → base64 of each value (Kafka headers may repeat a name). */
  headers: Record<string, string[]>;
}

export function readLetter(record: InboundRecord): Letter {
  const { message } = record;
  const h = message.headers ?? {};
  const text = (name: string) => headerString(h, name) ?? null;
  const originPartition = headerInt(h, DLQ_HEADERS.originPartition);
  const originOffset = text(DLQ_HEADERS.originOffset);
  return {
    dlqTopic: record.topic,
    dlqPartition: record.partition,
    dlqOffset: message.offset,
    originTopic: text(DLQ_HEADERS.originTopic),
    originPartition: originPartition ?? null,
    originOffset: originOffset !== null && /^\d+$/.test(originOffset) ? originOffset : null,
    // A letter without x-mesh-app is named after its DLQ topic (dlq.<app>).
    app: text(DLQ_HEADERS.app) ?? record.topic.replace(/^dlq\./, ''),
    reason: text(DLQ_HEADERS.reason) ?? 'UNKNOWN',
    retryable: text(DLQ_HEADERS.retryable) === 'true',
    attempts: headerInt(h, DLQ_HEADERS.attempts) ?? 0,
    redriveAttempt: headerInt(h, REDRIVE_ATTEMPT_HEADER) ?? 0,
    redriveId: text(REDRIVE_HEADERS.redriveId),
    firstFailureAt: validTime(text(DLQ_HEADERS.firstFailureAt)),
    lastFailureAt: validTime(text(DLQ_HEADERS.lastFailureAt)) ?? new Date(Number(message.timestamp)).toISOString(),
    error: text(DLQ_HEADERS.error),
    tenant: text(DLQ_HEADERS.tenant),
    dedupeKey: text(DLQ_HEADERS.dedupeKey),
    key: message.key ?? null,
    payload: message.value ?? null,
    headers: encodeHeaders(h),
  };
}

function validTime(value: string | null): string | null {
  return value !== null && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null;
}

export function encodeHeaders(headers: MessageHeaders): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    out[name] = (Array.isArray(raw) ? raw : [raw]).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))).toString('base64'));
  }
  return out;
}

export function decodeHeaders(stored: Record<string, string[]> | null): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const [name, values] of Object.entries(stored ?? {})) out[name] = values.map((v) => Buffer.from(v, 'base64'));
  return out;
}

export interface RedrivePolicy {
  autoRedrive: boolean;
  tiersMs: readonly number[];
  maxRedrives: number;
}

export interface Disposition {
  status: Extract<LetterStatus, 'new' | 'quarantined'>;
  note: string | null;
  nextRedriveAt: string | null;
}

/**
 * What becomes of a letter when it is stored. This is the loop guard: a record that already had
 * maxRedrives redrives and failed again is quarantined for a person, never sent out again
 * automatically. Retryable letters are scheduled on the tier of their redrive attempt.
 */
export function dispositionOf(letter: Letter, policy: RedrivePolicy): Disposition {
  if (letter.originTopic === null || letter.originPartition === null || letter.originOffset === null) {
    return { status: 'quarantined', note: 'not a mesh dead letter: no x-mesh-origin-topic/partition/offset', nextRedriveAt: null };
  }
  if (letter.redriveAttempt >= policy.maxRedrives) {
    return { status: 'quarantined', note: `failed again after ${letter.redriveAttempt} redrive(s) (limit ${policy.maxRedrives})`, nextRedriveAt: null };
  }
  if (!letter.retryable || !policy.autoRedrive || policy.tiersMs.length === 0) return { status: 'new', note: null, nextRedriveAt: null };
  const delay = policy.tiersMs[Math.min(letter.redriveAttempt, policy.tiersMs.length - 1)]!;
  return { status: 'new', note: null, nextRedriveAt: new Date(Date.parse(letter.lastFailureAt) + delay).toISOString() };
}
