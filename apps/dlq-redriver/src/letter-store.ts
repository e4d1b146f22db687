// The write side of the DLQ store: migrations, and one INSERT … SELECT FROM unnest per consumed
// round. ON CONFLICT DO NOTHING collapses both kinds of duplicate: the same DLQ record delivered
// again (dlq coordinates) and a second letter for the same failure (origin coordinates + redrive
// attempt), which the at-least-once DLQ writes when an app crashes before committing.
import path from 'node:path';
import pg from 'pg';
import { loadMigrations, migrate, qualifiedName, quoteIdent, type MigrationResult } from '@ingest-mesh/pg-kit';
import { dispositionOf, type Letter, type RedrivePolicy } from './letter.js';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../migrations');

export function createPool(connectionString: string, max: number, onError: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5000 });
  pool.on('error', onError);
  return pool;
}

export async function migrateStore(pool: pg.Pool, schema: string): Promise<MigrationResult> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  return migrate(pool, await loadMigrations(MIGRATIONS_DIR), { schema });
}

export interface InsertResult {
  inserted: number;
  quarantined: number;
  duplicates: number;
}

export class LetterStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly policy: RedrivePolicy,
  ) {
    this.table = qualifiedName(schema, 'dead_letters');
  }

  /** One statement for the whole round; duplicates are counted, never an error. */
  async insert(letters: readonly Letter[]): Promise<InsertResult> {
    if (letters.length === 0) return { inserted: 0, quarantined: 0, duplicates: 0 };
    const d = letters.map((l) => dispositionOf(l, this.policy));
    const col = <T>(f: (l: Letter, i: number) => T) => letters.map(f);
    const res = await this.pool.query<{ status: string }>(
      `INSERT INTO ${this.table} (dlq_topic, dlq_partition, dlq_offset, origin_topic, origin_partition, origin_offset, app, reason,
         retryable, attempts, redrive_attempt, redrive_id, previous_id, first_failure_at, last_failure_at, error, tenant, dedupe_key,
         record_key, payload, headers, status, status_note, next_redrive_at)
       SELECT u.dlq_topic, u.dlq_partition, u.dlq_offset, u.origin_topic, u.origin_partition, u.origin_offset, u.app, u.reason,
         u.retryable, u.attempts, u.redrive_attempt, u.redrive_id,
         (SELECT p.id FROM ${this.table} p WHERE p.sent_redrive_id = u.redrive_id LIMIT 1),
         u.first_failure_at, u.last_failure_at, u.error, u.tenant, u.dedupe_key, u.record_key, u.payload, u.headers::jsonb,
         u.status, u.status_note, u.next_redrive_at
       FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::int[], $6::bigint[], $7::text[], $8::text[], $9::bool[],
         $10::int[], $11::int[], $12::text[], $13::timestamptz[], $14::timestamptz[], $15::text[], $16::text[], $17::text[],
         $18::bytea[], $19::bytea[], $20::text[], $21::text[], $22::text[], $23::timestamptz[])
         AS u(dlq_topic, dlq_partition, dlq_offset, origin_topic, origin_partition, origin_offset, app, reason, retryable,
              attempts, redrive_attempt, redrive_id, first_failure_at, last_failure_at, error, tenant, dedupe_key,
              record_key, payload, headers, status, status_note, next_redrive_at)
       ON CONFLICT DO NOTHING
       RETURNING status`,
      [
        col((l) => l.dlqTopic),
        col((l) => l.dlqPartition),
        col((l) => l.dlqOffset),
        col((l) => l.originTopic),
        col((l) => l.originPartition),
        col((l) => l.originOffset),
        col((l) => l.app),
        col((l) => l.reason),
        col((l) => l.retryable),
        col((l) => l.attempts),
        col((l) => l.redriveAttempt),
        col((l) => l.redriveId),
        col((l) => l.firstFailureAt),
        col((l) => l.lastFailureAt),
        col((l) => l.error),
        col((l) => l.tenant),
        col((l) => l.dedupeKey),
        col((l) => l.key),
        col((l) => l.payload),
        col((l) => JSON.stringify(l.headers)),
        col((_, i) => d[i]!.status),
        col((_, i) => d[i]!.note),
        col((_, i) => d[i]!.nextRedriveAt),
      ],
    );
    const quarantined = res.rows.filter((r) => r.status === 'quarantined').length;
    return { inserted: res.rows.length, quarantined, duplicates: letters.length - res.rows.length };
  }
}
