// Sends claimed letters back to their origin topics. Rows are marked `redriving` (with a fresh
// redrive id) in the claim, produced with acks=all, then marked `redriven`. A crash in between
// leaves them `redriving`; after DLQ_CLAIM_TIMEOUT_MS any instance sends them again. That second
// copy is harmless: sinks are revision-guarded, so an equal revision is a no-op.
import type { MessageHeaders, Producer } from '@ingest-mesh/kafka-client';
import type pg from 'pg';
import { REDRIVE_HEADERS } from '@ingest-mesh/kafka-runtime';
import { qualifiedName } from '@ingest-mesh/pg-kit';
import { boundedMessage } from '@ingest-mesh/reason-codes';
import { decodeHeaders, REDRIVE_ATTEMPT_HEADER } from './letter.js';

export interface ClaimedLetter {
  id: string;
  origin_topic: string;
  record_key: Buffer | null;
  payload: Buffer | null;
  headers: Record<string, string[]> | null;
  sent_redrive_id: string;
  redrive_attempt: number;
}

export interface SendResult {
  sent: string[];
  failed: { ids: string[]; topic: string; error: string }[];
}

/** The record as it goes back: original key, value and headers, plus the redrive id and attempt. */
export function redriveMessage(row: ClaimedLetter): { key: Buffer | null; value: Buffer | null; headers: MessageHeaders } {
  const headers: MessageHeaders = {};
  for (const [name, values] of Object.entries(decodeHeaders(row.headers))) headers[name] = values.length === 1 ? values[0]! : values;
  headers[REDRIVE_HEADERS.redriveId] = row.sent_redrive_id;
  headers[REDRIVE_ATTEMPT_HEADER] = String(row.redrive_attempt + 1);
  return { key: row.record_key, value: row.payload, headers };
}

export class RedriveSender {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly producer: Producer,
    private readonly maxSendFailures: number,
  ) {
    this.table = qualifiedName(schema, 'dead_letters');
  }

  /**
   * Claims up to `limit` rows matching `where` (SKIP LOCKED: instances never claim the same row)
   * and marks them redriving under `jobId` (null for automatic redrives).
   */
  async claim(where: string, params: unknown[], limit: number, jobId: string | null, order = 'id'): Promise<ClaimedLetter[]> {
    const n = params.length;
    const res = await this.pool.query<ClaimedLetter>(
      `WITH picked AS (
         SELECT id FROM ${this.table} WHERE ${where} ORDER BY ${order} LIMIT $${n + 1} FOR UPDATE SKIP LOCKED)
       UPDATE ${this.table} d
          SET status = 'redriving', sent_redrive_id = gen_random_uuid()::text, job_id = $${n + 2}::uuid,
              claimed_at = now(), updated_at = now()
         FROM picked WHERE d.id = picked.id
       RETURNING d.id, d.origin_topic, d.record_key, d.payload, d.headers, d.sent_redrive_id, d.redrive_attempt`,
      [...params, limit, jobId],
    );
    return res.rows;
  }

  /** One produce per origin topic (acks=all); rows of a topic that failed go back to `new`. */
  async send(rows: readonly ClaimedLetter[], retryAfterMs: number | null): Promise<SendResult> {
    const byTopic = new Map<string, ClaimedLetter[]>();
    for (const r of rows) byTopic.set(r.origin_topic, [...(byTopic.get(r.origin_topic) ?? []), r]);
    const result: SendResult = { sent: [], failed: [] };
    for (const [topic, group] of byTopic) {
      try {
        await this.producer.send({ topic, acks: -1, messages: group.map(redriveMessage) });
        result.sent.push(...group.map((r) => r.id));
      } catch (err) {
        result.failed.push({ ids: group.map((r) => r.id), topic, error: boundedMessage(err) });
      }
    }
    if (result.sent.length > 0) {
      await this.pool.query(
        `UPDATE ${this.table} SET status = 'redriven', redriven_at = now(), next_redrive_at = NULL, status_note = NULL, updated_at = now()
          WHERE id = ANY($1::bigint[]) AND status = 'redriving'`,
        [result.sent],
      );
    }
    for (const f of result.failed) {
      // Back to `new` (tried again after retryAfterMs when scheduled), or quarantined once the
      // origin topic has refused it maxSendFailures times: a deleted topic is not retried forever.
      await this.pool.query(
        `UPDATE ${this.table}
            SET send_failures = send_failures + 1, claimed_at = NULL, updated_at = now(),
                status = CASE WHEN send_failures + 1 >= $4 THEN 'quarantined' ELSE 'new' END,
                status_note = CASE WHEN send_failures + 1 >= $4 THEN $2::text || ' (' || (send_failures + 1) || ' failed sends: quarantined)' ELSE $2::text END,
                next_redrive_at = CASE WHEN send_failures + 1 >= $4 THEN NULL
                                       WHEN next_redrive_at IS NULL OR $3::int IS NULL THEN next_redrive_at
                                       ELSE now() + make_interval(secs => $3::int / 1000.0) END
          WHERE id = ANY($1::bigint[]) AND status = 'redriving'`,
        [f.ids, `redrive to ${f.topic} failed: ${f.error}`, retryAfterMs, this.maxSendFailures],
      );
    }
    return result;
  }
}
