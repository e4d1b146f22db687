// What the runtime needs from a dedupe store. Keys are opaque strings (normally dedupeKey()).

/**
 * - 'reserved':  we now hold a short-lived reservation: process the record, then commit or release.
 * - 'duplicate': the key was committed earlier: skip the record and count it (never an error).
 * - 'in-flight': another owner holds a live reservation: leave the record and try again later.
 */
export type ReserveOutcome = 'reserved' | 'duplicate' | 'in-flight';

export interface IdempotencyStore {
  /** One round trip for the whole batch; outcomes[i] belongs to keys[i]. */
  reserve(keys: readonly string[]): Promise<ReserveOutcome[]>;
  /** Remembers the keys as done (long TTL). One round trip. */
  commit(keys: readonly string[]): Promise<void>;
  /** Drops OUR reservations of the keys so they can be processed again. One round trip. */
  release(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
