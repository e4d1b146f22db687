// Resolves a time window to offsets, per partition, without touching any consumer group:
// start = first offset with a timestamp >= from, end (exclusive) = first offset with a timestamp
// >= to (the high watermark when there is none yet). Both are frozen in the plan, so records
// produced after planning (including the replay's own output) are never part of the window.
import type { Admin } from '@ingest-mesh/kafka-client';
import { PlanArgsError } from './errors.js';

export interface PartitionWindow {
  topic: string;
  partition: number;
  start: number;
  end: number;
}

export type WindowAdmin = Pick<Admin, 'fetchTopicOffsets' | 'fetchTopicOffsetsByTimestamp' | 'listTopics'>;

export async function assertTopicsExist(admin: Pick<Admin, 'listTopics'>, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) throw new PlanArgsError(`no such topic: ${missing.join(', ')}`);
}

export async function resolveWindow(admin: WindowAdmin, topics: readonly string[], from: Date, to: Date): Promise<PartitionWindow[]> {
  const windows: PartitionWindow[] = [];
  for (const topic of topics) {
    const [bounds, starts, ends] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchTopicOffsetsByTimestamp(topic, from.getTime()),
      admin.fetchTopicOffsetsByTimestamp(topic, to.getTime()),
    ]);
    for (const b of bounds) {
      const low = Number(b.low);
      const high = Number(b.high);
      const byFrom = Number(starts.find((s) => s.partition === b.partition)?.offset ?? high);
      const byTo = Number(ends.find((s) => s.partition === b.partition)?.offset ?? high);
      // Retention may have deleted the window's beginning: start at what is left.
      const start = Math.min(Math.max(byFrom, low), high);
      const end = Math.max(start, Math.min(byTo, high));
      windows.push({ topic, partition: b.partition, start, end });
    }
  }
  return windows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function windowSize(windows: readonly PartitionWindow[]): number {
  return windows.reduce((n, w) => n + (w.end - w.start), 0);
}
