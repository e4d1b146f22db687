// Constraint isolation: when a batch statement fails because of one record's values (SQLSTATE
// class 23 or 22), the batch is split in halves and each half retried, in order, recursively,
// until the offending records stand alone. They fail with the typed error; every other record is
// written. k bad records in n cost O(k log n) statements; a clean batch costs one.
// Any other error (connection lost, statement timeout, …) is thrown at once: it is not the
// records' fault, and the runner retries the whole batch.
import type { MeshError } from '@ingest-mesh/reason-codes';
import { isPerRecordError, toRecordError } from '@ingest-mesh/pg-kit';

export type Isolated<R> = { ok: true; result: R } | { ok: false; error: MeshError };

export interface IsolateOptions<T> {
  /** Names a record in its error, e.g. `order o-1 revision 3 (tenant acme)`. */
  describe: (item: T) => string;
  /** Checked before every statement: an aborted batch stops between statements. */
  signal?: AbortSignal;
  /** Which errors belong to a record; default SQLSTATE class 22 and 23. */
  isPerRecordError?: (err: unknown) => boolean;
  /** Turns such an error into the record's error. */
  toRecordError?: (err: unknown, what: string) => MeshError;
}

/**
 * Runs `write` on all items, bisecting on per-record errors. `write` must be atomic (one
 * statement or one transaction) and return one result per item, in order.
 */
export async function writeIsolated<T, R>(
  items: readonly T[],
  write: (items: readonly T[]) => Promise<readonly R[]>,
  options: IsolateOptions<T>,
): Promise<Isolated<R>[]> {
  const perRecord = options.isPerRecordError ?? isPerRecordError;
  const recordError = options.toRecordError ?? toRecordError;
  const run = async (slice: readonly T[]): Promise<Isolated<R>[]> => {
    options.signal?.throwIfAborted();
    try {
      const results = await write(slice);
      return results.map((result) => ({ ok: true, result }));
    } catch (err) {
      if (!perRecord(err)) throw err;
      if (slice.length === 1) return [{ ok: false, error: recordError(err, options.describe(slice[0]!)) }];
      const mid = Math.ceil(slice.length / 2);
      const left = await run(slice.slice(0, mid));
      const right = await run(slice.slice(mid));
      return [...left, ...right];
    }
  };
  return items.length === 0 ? [] : run(items);
}
