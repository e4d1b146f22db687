import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUP_FILTER, watchedGroups } from './group-filter.js';
import { LagExporter } from './lag-exporter.js';

class FakeAdmin {
  groups = ['mesh.sink-postgres', 'mesh.sink-postgres.control.sink-postgres-ab12', 'other-team', 'mesh.ingest-router', 'mesh.replay-coordinator.run.r-42'];
  ends: Record<string, { partition: number; offset: string; high: string; low: string }[]> = {
    'sink.postgres': [
      { partition: 0, offset: '100', high: '100', low: '0' },
      { partition: 1, offset: '40', high: '40', low: '10' },
    ],
    'ingest.raw': [{ partition: 0, offset: '5', high: '5', low: '0' }],
  };
  committed: Record<string, { topic: string; partitions: { partition: number; offset: string }[] }[]> = {
    'mesh.sink-postgres': [
      {
        topic: 'sink.postgres',
        partitions: [
          { partition: 0, offset: '60' },
          { partition: 1, offset: '-1' },
        ],
      },
    ],
    'mesh.ingest-router': [{ topic: 'ingest.raw', partitions: [{ partition: 0, offset: '5' }] }],
  };
  async listGroups() {
    return { groups: this.groups.map((groupId) => ({ groupId, protocolType: 'consumer' })) };
  }
  async fetchGroupOffsets(groupId: string) {
    return (this.committed[groupId] ?? []).map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, metadata: null })) }));
  }
  async fetchTopicOffsets(topic: string) {
    return this.ends[topic] ?? [];
  }
}

class FakeMetrics {
  lags = new Map<string, [number, number | undefined]>();
  consumerLag(group: string, topic: string, partition: number, records: number, seconds?: number) {
    this.lags.set(`${group}/${topic}/${partition}`, [records, seconds]);
  }
  removeConsumerLag(group: string, topic?: string, partition?: number) {
    this.lags.delete(`${group}/${topic}/${partition}`);
  }
}

describe('watchedGroups', () => {
  it("keeps the apps' groups, not the per-instance control groups, replay runs nor other teams'", () => {
    expect(watchedGroups(new FakeAdmin().groups, DEFAULT_GROUP_FILTER)).toEqual(['mesh.ingest-router', 'mesh.sink-postgres']);
  });
});

describe('LagExporter', () => {
  function setup() {
    let now = 0;
    const admin = new FakeAdmin();
    const metrics = new FakeMetrics();
    const exporter = new LagExporter({ admin: admin as never, metrics, filter: DEFAULT_GROUP_FILTER, historyMs: 3_600_000, now: () => now });
    return { admin, metrics, exporter, at: (t: number) => (now = t) };
  }

  it('exports records behind the log end per group, topic and partition; never-committed counts from the low watermark', async () => {
    const { exporter, metrics } = setup();
    const lags = await exporter.sample();
    expect(lags).toHaveLength(3);
    expect(metrics.lags.get('mesh.sink-postgres/sink.postgres/0')![0]).toBe(40);
    expect(metrics.lags.get('mesh.sink-postgres/sink.postgres/1')![0]).toBe(30);
    expect(metrics.lags.get('mesh.ingest-router/ingest.raw/0')).toEqual([0, 0]);
  });

  it('lets the time lag of a group that stopped committing grow as the log grows', async () => {
    const { admin, exporter, metrics, at } = setup();
    at(0);
    admin.ends['sink.postgres']![0]!.high = '60';
    await exporter.sample();
    for (let t = 1; t <= 10; t++) {
      at(t * 60_000);
      admin.ends['sink.postgres']![0]!.high = String(60 + t * 100);
      await exporter.sample();
    }
    const [records, seconds] = metrics.lags.get('mesh.sink-postgres/sink.postgres/0')!;
    expect(records).toBe(1000);
    expect(seconds).toBeGreaterThan(540);
  });

  it('drops the series of a group that disappeared', async () => {
    const { admin, exporter, metrics } = setup();
    await exporter.sample();
    admin.groups = admin.groups.filter((g) => g !== 'mesh.ingest-router');
    await exporter.sample();
    expect([...metrics.lags.keys()].some((k) => k.startsWith('mesh.ingest-router'))).toBe(false);
  });
});
