// The mesh's consumer-group lag seen from outside the apps: every watched group's committed
// offsets against each partition's log end, sampled on a timer and exported as
// ingest_consumer_lag_records / ingest_consumer_lag_seconds with app="mesh-lag-exporter".
// An app reports its own group's lag only while it runs; this keeps reporting when it is down.
import type { MeshMetrics } from '@ingest-mesh/telemetry';
import type { Admin } from '@ingest-mesh/kafka-client';
import { watchedGroups, type GroupFilter } from './group-filter.js';
import { OffsetHistory } from './offset-history.js';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  records: number;
  seconds: number;
}

export interface LagExporterOptions {
  admin: Pick<Admin, 'listGroups' | 'fetchGroupOffsets' | 'fetchTopicOffsets'>;
  metrics: Pick<MeshMetrics, 'consumerLag' | 'removeConsumerLag'>;
  filter: GroupFilter;
  historyMs: number;
  now?: () => number;
}

export class LagExporter {
  private readonly histories = new Map<string, OffsetHistory>();
  private reported = new Set<string>();
  private readonly now: () => number;
  lastSampleAt: number | undefined;

  constructor(private readonly opts: LagExporterOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** One pass over every watched group; returns what it exported. */
  async sample(): Promise<PartitionLag[]> {
    const now = this.now();
    const groups = watchedGroups(
      (await this.opts.admin.listGroups()).groups.map((g) => g.groupId),
      this.opts.filter,
    );
    const ends = new Map<string, Map<number, { low: bigint; high: bigint }>>();
    const out: PartitionLag[] = [];
    for (const group of groups) {
      for (const { topic, partitions } of await this.opts.admin.fetchGroupOffsets(group)) {
        let topicEnds = ends.get(topic);
        if (!topicEnds) {
          topicEnds = await this.topicEnds(topic, now);
          ends.set(topic, topicEnds);
        }
        for (const p of partitions) {
          const end = topicEnds.get(p.partition);
          if (!end) continue;
          // -1: never committed there; everything retained is lag.
          const committed = BigInt(p.offset) < 0n ? end.low : BigInt(p.offset);
          const records = end.high > committed ? Number(end.high - committed) : 0;
          const seconds = this.histories.get(historyKey(topic, p.partition))?.ageSeconds(committed, now) ?? 0;
          out.push({ group, topic, partition: p.partition, records, seconds });
        }
      }
    }
    this.export(out);
    this.lastSampleAt = now;
    return out;
  }

  private async topicEnds(topic: string, now: number): Promise<Map<number, { low: bigint; high: bigint }>> {
    const result = new Map<number, { low: bigint; high: bigint }>();
    for (const o of await this.opts.admin.fetchTopicOffsets(topic)) {
      const high = BigInt(o.high);
      result.set(o.partition, { low: BigInt(o.low), high });
      const key = historyKey(topic, o.partition);
      let history = this.histories.get(key);
      if (!history) this.histories.set(key, (history = new OffsetHistory(this.opts.historyMs)));
      history.record(now, high);
    }
    return result;
  }

  // Series of groups or partitions no longer seen (a deleted group) vanish from the next scrape.
  private export(lags: PartitionLag[]): void {
    const seen = new Set<string>();
    for (const l of lags) {
      this.opts.metrics.consumerLag(l.group, l.topic, l.partition, l.records, l.seconds);
      seen.add(JSON.stringify([l.group, l.topic, l.partition]));
    }
    for (const key of this.reported) {
      if (seen.has(key)) continue;
      const [group, topic, partition] = JSON.parse(key) as [string, string, number];
      this.opts.metrics.removeConsumerLag(group, topic, partition);
    }
    this.reported = seen;
  }
}

function historyKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
