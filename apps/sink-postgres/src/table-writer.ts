// What PostgresSink asks of the writer of one table: write these records (all of the table's
// entity type), one outcome per record in order; throw only for infrastructure failures.
import type pg from 'pg';
import type { PreparedRow } from './column-values.js';
import type { SinkOutcome, SinkRecordIn } from './sink-types.js';
import type { TableMapping } from './table-config.js';

export interface TableWriter {
  readonly mapping: TableMapping;
  write(records: readonly SinkRecordIn[], signal?: AbortSignal): Promise<SinkOutcome[]>;
}

/** What a writer needs of pg: a Pool (or a Client, for upserts). */
export type Queryable = Pick<pg.Pool, 'query'>;

/** `order o-1 revision 3 (tenant acme)`, for record errors. */
export function describeRow(mapping: TableMapping, row: Pick<PreparedRow, 'tenant' | 'id' | 'revision'>): string {
  return `${mapping.entityType} ${row.id} revision ${row.revision} (tenant ${row.tenant})`;
}
