// Which topics are DLQs. kafkajs matches a subscription RegExp only against topics that exist at
// subscribe time, so the redriver lists topics itself: at start and every DLQ_TOPIC_REFRESH_MS,
// and subscribes to the new ones (a new app's dlq.<app> appeared; redriver-app.ts).
import type { Admin } from '@ingest-mesh/kafka-client';

export function selectDlqTopics(all: readonly string[], pattern: RegExp, listed: readonly string[], own: string): string[] {
  const chosen = new Set(all.filter((t) => pattern.test(t) && !t.startsWith('__')));
  for (const t of listed) if (all.includes(t)) chosen.add(t);
  // Always consumed (the runtime creates it): keeps the list non-empty on an empty cluster.
  chosen.add(own);
  return [...chosen].sort();
}

export async function discoverDlqTopics(admin: Admin, pattern: RegExp, listed: readonly string[], own: string): Promise<string[]> {
  return selectDlqTopics(await admin.listTopics(), pattern, listed, own);
}

/** Topics in `next` that `current` lacks (deleted topics are not a reason to restart). */
export function newTopics(current: readonly string[], next: readonly string[]): string[] {
  return next.filter((t) => !current.includes(t));
}
