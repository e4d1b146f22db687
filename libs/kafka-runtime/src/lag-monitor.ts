// Consumer-group lag of the app's own group, per topic and partition, exported as metrics:
// records behind the log end, and seconds since the partition's last processed record's time.
import type { Admin } from '@ingest-mesh/kafka-client';

export interface LagSample {
  topic: string;
  partition: number;
  committed: bigint;
  end: bigint;
  lag: bigint;
  seconds: number;
}

export interface LagMonitorOptions {
  admin: Admin;
  groupId: string;
  topics: string[];
  /** Time of the last record processed per "topic:partition" (Kafka timestamp, ms). */
  lastRecordTime: Map<string, number>;
  report(sample: LagSample): void;
  now?: () => number;
}

export async function sampleLag(opts: LagMonitorOptions): Promise<LagSample[]> {
  const now = (opts.now ?? Date.now)();
  const committed = await opts.admin.fetchOffsets({ groupId: opts.groupId, topics: opts.topics });
  const samples: LagSample[] = [];
  for (const { topic, partitions } of committed) {
    const ends = new Map((await opts.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    for (const p of partitions) {
      const end = ends.get(p.partition) ?? 0n;
      // -1 means the group never committed on that partition: everything retained is lag.
      const low = BigInt(p.offset) < 0n ? 0n : BigInt(p.offset);
      const lag = end > low ? end - low : 0n;
      const last = opts.lastRecordTime.get(`${topic}:${p.partition}`);
      const seconds = lag === 0n || last === undefined ? 0 : Math.max(0, (now - last) / 1000);
      const sample = { topic, partition: p.partition, committed: low, end, lag, seconds };
      samples.push(sample);
      opts.report(sample);
    }
  }
  return samples;
}
