// A test app on the runtime, for src/runtime.int.spec.ts: it applies "ledger entries" to
// PostgreSQL and can be told to fail (retryably or not) or to crash (SIGKILL) right after
// applying a given entry, before its offset is committed.
//
// Effects are idempotent the way a real sink's are: effects(id) has a primary key and every
// real insert also appends to applications(id), so applications counts effects actually applied.
import { existsSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { endpointsFromEnv } from '@ingest-mesh/env-config';
import { ConnectionError, InvalidPayloadError, ValidationError } from '@ingest-mesh/reason-codes';
import { runMeshApp, type InboundRecord, type RecordOutcome } from '../src/index.js';

/** One ledger record as the test produces it (runtime.int.spec.ts builds them). */
export interface Entry {
  tenant: string;
  id: string;
  revision: number;
  fail?: 'fatal' | 'transient' | 'always';
  failTimes?: number;
}

const table = required('LEDGER_TABLE');
const crashAfterId = process.env.LEDGER_CRASH_AFTER_ID;
const crashMarker = process.env.LEDGER_CRASH_MARKER;
const pool = new pg.Pool({ connectionString: endpointsFromEnv().DATABASE_URL, max: 4 });
const failuresSoFar = new Map<string, number>();

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

function parse(record: InboundRecord): Entry {
  try {
    return JSON.parse(record.message.value?.toString('utf8') ?? '') as Entry;
  } catch {
    throw new InvalidPayloadError(`offset ${record.message.offset} is not JSON`);
  }
}

async function apply(entries: Entry[]): Promise<void> {
  if (entries.length === 0) return;
  await pool.query(
    `WITH ins AS (
       INSERT INTO ${table}_effects (id, revision) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (id) DO NOTHING RETURNING id)
     INSERT INTO ${table}_applications (id) SELECT id FROM ins`,
    [entries.map((e) => e.id), entries.map((e) => e.revision)],
  );
  await pool.query(`INSERT INTO ${table}_handled (id) SELECT unnest($1::text[])`, [entries.map((e) => e.id)]);
}

await runMeshApp({
  app: 'ledger-test',
  topics: [required('LEDGER_TOPIC')],
  dedupe: true,
  handler: {
    describe(record) {
      const e = parse(record);
      return { tenant: e.tenant, dedupe: { tenant: e.tenant, source: 'ledger-test', entityType: 'entry', id: e.id, revision: e.revision } };
    },
    async handle(records): Promise<RecordOutcome[]> {
      const entries = records.map(parse);
      const outcomes: RecordOutcome[] = entries.map((e) => {
        if (e.fail === 'fatal') return { status: 'failed', error: new ValidationError(`entry ${e.id} is marked fatal`, { field: 'fail', rule: 'test' }) };
        if (e.fail === 'always') return { status: 'failed', error: new ConnectionError(`entry ${e.id}: ledger unreachable (injected)`) };
        const failed = failuresSoFar.get(e.id) ?? 0;
        if (e.fail === 'transient' && failed < (e.failTimes ?? 1)) {
          failuresSoFar.set(e.id, failed + 1);
          return { status: 'failed', error: new ConnectionError(`entry ${e.id}: transient failure ${failed + 1} (injected)`) };
        }
        return { status: 'done', effect: 'written' };
      });
      const toApply = entries.filter((_, n) => outcomes[n]!.status === 'done');
      await apply(toApply);
      if (crashAfterId && crashMarker && !existsSync(crashMarker) && toApply.some((e) => e.id === crashAfterId)) {
        writeFileSync(crashMarker, 'crashed once');
        process.kill(process.pid, 'SIGKILL'); // after the effect, before dedupe commit and offset commit
      }
      return outcomes;
    },
  },
});
