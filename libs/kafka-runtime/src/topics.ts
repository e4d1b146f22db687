// Creates the topics an app needs when they are missing (broker auto-creation is off).
import type { Admin, TopicSpec as KafkaTopicSpec } from '@ingest-mesh/kafka-client';

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  configEntries?: { name: string; value: string }[];
}

export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing: KafkaTopicSpec[] = specs
    .filter((s) => !existing.has(s.topic))
    .map((s) => ({ topic: s.topic, numPartitions: s.numPartitions ?? 3, replicationFactor: -1, configEntries: s.configEntries ?? [] }));
  if (missing.length === 0) return [];
  await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((t) => t.topic);
}
