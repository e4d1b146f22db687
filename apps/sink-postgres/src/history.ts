// History mode (SCD Type 2): every version is a row; the newest is current. One transaction per
// batch (four statements whatever its size, see history-sql.ts).
//
//   - a version already stored, (key, revision), is a no-op 'equal-revision': reruns and
//     redeliveries are idempotent;
//   - the same version twice in one batch is written once, the LAST copy (sink-kit's rule for
//     equal revisions, collapseRevisions); earlier copies are noop 'superseded-in-batch', or
//     share the last one's failure;
//   - a tombstone is a version with deleted = true and empty data: the entity's history shows
//     when it was deleted, and the current row says it is gone;
//   - a version older than the current one, arriving late, is inserted where it belongs in the
//     chain (valid_to = the next version's valid_from, the previous version's valid_to moved to
//     its valid_from) and reported 'written'. History mode exists to keep every version: refusing
//     it as OLDER_REVISION would leave a hole in the history that a redrive could never fill
//     (it would be refused again), while splicing it in keeps the chain complete and leaves the
//     current row untouched.
import type pg from 'pg';
import { InternalError } from '@ingest-mesh/reason-codes';
import { collapseRevisions } from '@ingest-mesh/sink-kit';
import { prepareRow, type PreparedRow } from './column-values.js';
import { buildHistorySql, type HistorySql } from './history-sql.js';
import { writeIsolated } from './isolate.js';
import { keyArrays, rowArrays } from './row-arrays.js';
import type { SinkOutcome, SinkRecordIn } from './sink-types.js';
import type { TableMapping } from './table-config.js';
import { describeRow, type TableWriter } from './table-writer.js';
import { inTransaction, qualifiedName } from '@ingest-mesh/pg-kit';

type Row = PreparedRow & { index: number };
type RowResult = { status: 'written' } | { status: 'noop'; why: 'equal-revision' };

export class ScdHistoryWriter implements TableWriter {
  readonly sql: HistorySql;
  private readonly lockScope: string;

  constructor(
    private readonly pool: pg.Pool,
    readonly mapping: TableMapping,
    readonly schema: string,
  ) {
    if (mapping.mode !== 'history') throw new Error(`table ${mapping.table} is in ${mapping.mode} mode, not history`);
    this.sql = buildHistorySql(schema, mapping);
    this.lockScope = qualifiedName(schema, mapping.table);
  }

  async write(records: readonly SinkRecordIn[], signal?: AbortSignal): Promise<SinkOutcome[]> {
    const outcomes = new Array<SinkOutcome | undefined>(records.length);
    const rows: Row[] = [];
    records.forEach((record, index) => {
      let row: PreparedRow;
      try {
        row = prepareRow(this.mapping, record);
      } catch (err) {
        outcomes[index] = { status: 'failed', error: err };
        return;
      }
      rows.push({ ...row, index });
    });
    // Every version is kept, so only copies of one version (key, revision) collapse: the last
    // copy is written; the earlier ones are superseded by it, or fail with it.
    const { write, superseded } = collapseRevisions(rows, (row) => `${row.keyId}#${row.revision}`);
    const lasts = write.map((w) => w.record);
    const results = await writeIsolated(lasts, (batch) => this.apply(batch), { describe: (row) => describeRow(this.mapping, row), signal });
    const written = new Map<number, SinkOutcome>();
    results.forEach((isolated, j) => {
      const outcome: SinkOutcome = isolated.ok ? isolated.result : { status: 'failed', error: isolated.error };
      outcomes[lasts[j]!.index] = outcome;
      written.set(write[j]!.index, outcome);
    });
    for (const copy of superseded) {
      const last = written.get(copy.winner)!;
      outcomes[copy.record.index] = last.status === 'failed' ? last : copy.outcome;
    }
    return outcomes.map((o) => o ?? { status: 'failed', error: new InternalError('record left without an outcome (bug in ScdHistoryWriter)') });
  }

  /** One transaction: lock keys, insert new versions, re-chain the keys that got one. */
  private async apply(rows: readonly Row[]): Promise<RowResult[]> {
    return inTransaction(this.pool, async (client) => {
      await client.query({ text: this.sql.lock, values: [this.lockScope, ...keyArrays(this.mapping, rows)] });
      const inserted = await client.query<{ ord: string }>({ text: this.sql.insert, values: rowArrays(this.mapping, rows) });
      const ords = new Set(inserted.rows.map((r) => Number(r.ord)));
      const fresh = rows.filter((_, i) => ords.has(i + 1));
      if (fresh.length > 0) {
        const keys = keyArrays(this.mapping, fresh);
        await client.query({ text: this.sql.expire, values: [...keys, fresh.map((r) => String(r.revision))] });
        await client.query({ text: this.sql.promote, values: keys });
      }
      return rows.map((_, i): RowResult => (ords.has(i + 1) ? { status: 'written' } : { status: 'noop', why: 'equal-revision' }));
    });
  }
}
