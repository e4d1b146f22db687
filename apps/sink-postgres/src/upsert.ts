// Upsert mode: one row per key at its highest revision, written with ONE statement per batch
// (plus one more per round of fallbacks when a winner fails on a constraint; see below).
// The revision guard `WHERE excluded.revision > t.revision` makes every write idempotent:
// a redelivered batch changes nothing, a late older version is refused and reported with the
// revision that won. Tombstones are soft deletes (deleted = true, data columns cleared) so the
// guard keeps protecting the deleted entity from a late older upsert.
import { InternalError, SinkTimeoutError } from '@ingest-mesh/reason-codes';
import { rankRevisions, settleSuperseded, type RevisionGroup } from '@ingest-mesh/sink-kit';
import { prepareRow, type PreparedRow } from './column-values.js';
import { encodeArrays } from './binary-arrays.js';
import { writeIsolated } from './isolate.js';
import { inputColumns, rowArrays } from './row-arrays.js';
import type { SinkOutcome, SinkRecordIn } from './sink-types.js';
import type { ColumnType, TableMapping } from './table-config.js';
import { describeRow, type Queryable, type TableWriter } from './table-writer.js';
import { buildUpsertSql, type UpsertResultRow } from './upsert-sql.js';

type Row = PreparedRow & { index: number };
/** What the database said about the applied version of a key. */
type AppliedResult = { status: 'written' } | { status: 'noop'; why: 'equal-revision' } | { status: 'older-revision'; currentRevision: number };
type RowResult = AppliedResult | { status: 'failed'; error: unknown };

// The versions of one key in a batch follow sink-kit's rule (rankRevisions, settleSuperseded): the
// highest revision is applied — the last of equal ones — and the others are settled by what
// happened to it, as applying the batch one record at a time in revision order would:
//   applied (written or equal-revision) → the other versions: noop 'superseded-in-batch'
//   refused as older (current > it)     → every other version of the key: older-revision too
//   failed, retryable                   → the other versions fail alike (the runner retries them)
//   failed on its values (constraint)   → the next best version gets its turn (next round)
// So update → delete → update ends at the last update, and a delete that is last ends deleted.

export class RevisionGuardedUpsert implements TableWriter {
  readonly sql: string;
  /** The type of each parameter array, in inputColumns order. */
  private readonly types: ColumnType[];

  constructor(
    private readonly db: Queryable,
    readonly mapping: TableMapping,
    readonly schema: string,
  ) {
    if (mapping.mode !== 'upsert') throw new Error(`table ${mapping.table} is in ${mapping.mode} mode, not upsert`);
    this.sql = buildUpsertSql(schema, mapping);
    this.types = inputColumns(mapping).map((c) => c.type);
  }

  async write(records: readonly SinkRecordIn[], signal?: AbortSignal): Promise<SinkOutcome[]> {
    const outcomes = new Array<SinkOutcome | undefined>(records.length);
    const rows: Row[] = [];
    records.forEach((record, index) => {
      try {
        rows.push({ ...prepareRow(this.mapping, record), index });
      } catch (err) {
        outcomes[index] = { status: 'failed', error: err };
      }
    });

    // Round 1 applies the best version of every key; a key whose version failed on its values
    // tries its next best in the next round, as a one-by-one application would have.
    // Ranked by position in `rows`, which keeps batch order; versions carry their batch index.
    const groups = rankRevisions(rows, (row) => row.keyId).map((g): RevisionGroup<Row> => ({
      key: g.key,
      versions: g.versions.map(({ record }) => ({ index: record.index, record })),
    }));
    let round = groups.map((group) => ({ group, pos: 0 }));
    while (round.length > 0) {
      signal?.throwIfAborted();
      const winners = round.map(({ group, pos }) => group.versions[pos]!.record);
      const results = await writeIsolated(winners, (batch) => this.apply(batch), { describe: (row) => describeRow(this.mapping, row), signal });
      const next: typeof round = [];
      results.forEach((isolated, j) => {
        const { group, pos } = round[j]!;
        const winner = group.versions[pos]!;
        const result: RowResult = isolated.ok ? isolated.result : { status: 'failed', error: isolated.error };
        outcomes[winner.index] = result;
        if (result.status !== 'failed') {
          for (const [index, outcome] of settleSuperseded(group.versions, pos, result)) outcomes[index] = outcome;
          return;
        }
        const retryable = (result.error as { retryable?: unknown }).retryable === true;
        if (retryable) {
          // Trying a lower version now could apply it before this one: fail them alike.
          for (const v of group.versions.slice(pos + 1)) outcomes[v.index] = result;
        } else if (pos + 1 < group.versions.length) {
          next.push({ group, pos: pos + 1 });
        }
      });
      round = next;
    }
    return outcomes.map((o) => o ?? { status: 'failed', error: new InternalError('record left without an outcome (bug in RevisionGuardedUpsert)') });
  }

  /** One statement for rows of distinct keys; a result per row, in order. */
  private async apply(rows: readonly Row[]): Promise<RowResult[]> {
    // Text and jsonb arrays travel in binary (binary-arrays.ts), the rest as array literals.
    const values = encodeArrays(this.types, rowArrays(this.mapping, rows));
    const result = await this.db.query<UpsertResultRow>({ text: this.sql, values });
    const byOrd = new Map(result.rows.map((r) => [Number(r.ord), r]));
    return rows.map((row, i): RowResult => {
      const r = byOrd.get(i + 1);
      if (r?.applied) return { status: 'written' };
      const current = r?.current_revision === null || r?.current_revision === undefined ? undefined : Number(r.current_revision);
      if (current === row.revision) return { status: 'noop', why: 'equal-revision' };
      if (current !== undefined && current > row.revision) return { status: 'older-revision', currentRevision: current };
      // Neither applied nor refused by a newer revision: another writer changed the key during the
      // statement (a rebalance overlap). A write conflict, like a serialization failure (40001,
      // SINK_TIMEOUT): trying again settles it. Not an InternalError: those are never retried.
      return {
        status: 'failed',
        error: new SinkTimeoutError(
          `${describeRow(this.mapping, row)} was neither applied nor refused (current revision ${current ?? 'none'}): a concurrent writer; retried`,
        ),
      };
    });
  }
}
