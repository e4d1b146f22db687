// Reads topics from given offsets and remembers, per key, where records with that key landed.
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '@ingest-mesh/kafka-client';

export interface Hit {
  topic: string;
  key: string;
  reason?: string | undefined;
  value: Buffer | null;
}
export type Seen = Map<string, Hit[]>;

export async function observe(opts: {
  kafka: KafkaClient;
  from: Map<string, Map<number, string>>;
  keys: Set<string>;
  timeoutMs: number;
  settle: (seen: Seen) => boolean;
}): Promise<Seen> {
  const seen: Seen = new Map();
  const consumer = opts.kafka.consumer({ groupId: `demo-observer-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [...opts.from.keys()], fromBeginning: false });
  consumer.onGroupJoin(() => {
    for (const [topic, partitions] of opts.from) for (const [partition, offset] of partitions) consumer.seek({ topic, partition, offset });
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const key = message.key?.toString() ?? '';
      if (!opts.keys.has(key)) return;
      const reason = message.headers?.['x-mesh-reason']?.toString();
      const hits = seen.get(key) ?? [];
      hits.push({ topic, key, reason, value: message.value });
      seen.set(key, hits);
    },
  });
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline && !opts.settle(seen)) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 1000)); // late duplicates would show up here
  await consumer.disconnect();
  return seen;
}
