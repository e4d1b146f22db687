// How long one fetch round may wait on the broker for records (the Fetch request's maxWaitTime).
// A broker answers one connection's requests in order, and the loop has one round out at a time:
// while a round long-polls partitions that have nothing new, a partition whose batch ends (or whose
// back-off runs out) cannot be fetched until that round returns, up to maxWaitTime later. So a
// round long-polls only when no partition can come free meanwhile: with a batch in a handler it
// does not wait at all (the loop then sleeps until a batch ends, see Runner.loop), and with a
// partition in back-off it waits at most until that back-off ends.
import type { PartitionCursor } from './partition-cursor.js';

export function roundWaitMs(cursors: Iterable<PartitionCursor>, now: number, maxWaitTime: number): number {
  let wait = maxWaitTime;
  for (const cursor of cursors) {
    if (cursor.busy) return 0;
    if (cursor.retryAt > now) wait = Math.min(wait, cursor.retryAt - now);
  }
  return wait;
}
