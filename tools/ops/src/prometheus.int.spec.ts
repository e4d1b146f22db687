// A real Prometheus scraping a running mesh app (sink-postgres as its own process) and
// mesh-lag-exporter, with the real alert rules loaded unchanged plus the consumer rules at test
// size (same expressions, thresholds 10 000 → 50 records and 300 → 3 s, `for` 3 s): the
// metric names exist as libs/telemetry names them, and ConsumerGroupLagHigh fires by records
// and by time once the sink is stopped while records keep arriving.
import path from 'node:path';
import { readConfigFile } from '@ingest-mesh/config-file';
import { freePort, waitFor } from '@ingest-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshAppRun } from './test-support/mesh-app.js';
import { Children } from './test-support/processes.js';
import { TestPrometheus } from './test-support/prometheus.js';
import { shortRules } from './test-support/short-rules.js';
import { REPO_ROOT } from './tools.js';

const children = new Children();
const sink = new MeshAppRun(children, 'prom');
const group = sink.group;
const topic = sink.topic;
let prometheus: TestPrometheus;

beforeAll(async () => {
  await sink.start();
  const exporterPort = await freePort();
  children.node('mesh-lag-exporter', path.join(REPO_ROOT, 'tools/ops/src/lag-exporter/main.ts'), {
    ...process.env,
    LAG_EXPORTER_PORT: String(exporterPort),
    LAG_EXPORTER_INTERVAL_MS: '1000',
    LAG_EXPORTER_GROUP_INCLUDE: `^${group.replaceAll('.', '\\.')}$`,
    LOG_LEVEL: 'warn',
  });
  const consumerRules = await shortRules('ingest-mesh.consumers', { '> 10000': '> 50', '> 300': '> 3' });
  const realRules = (await readConfigFile(path.join(REPO_ROOT, 'k8s/alerts/ingest-mesh.rules.yaml'))) as Record<string, unknown>;
  prometheus = new TestPrometheus(children, await freePort());
  await prometheus.start(
    [
      { job: 'sink-postgres', targets: [`127.0.0.1:${sink.port}`] },
      { job: 'mesh-lag-exporter', targets: [`127.0.0.1:${exporterPort}`] },
    ],
    [realRules, consumerRules],
  );
  await sink.waitReady();
}, 180_000);

afterAll(async () => {
  await children.stopAll();
  await prometheus?.stop();
  await sink.stop();
}, 60_000);

describe('Prometheus scraping the mesh', () => {
  it('loads the real rules unchanged and healthy', async () => {
    const groups = await waitFor(
      'rules evaluated',
      async () => {
        const g = await prometheus.ruleGroups();
        return g.length >= 6 && g.every((x) => x.rules.every((r) => r.health === 'ok')) ? g : undefined;
      },
      30_000,
      500,
    );
    expect(groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['ingest-mesh.latency', 'ingest-mesh.dlq', 'ingest-mesh.consumers', 'ingest-mesh.traffic', 'ingest-mesh.consumers.short']),
    );
  });

  it("finds the metrics under libs/telemetry's names once records flow", async () => {
    await sink.produce(100);
    await waitFor('sink caught up', async () => ((await sink.committedToEnd()) ? true : undefined), 60_000, 250).catch((err: Error) => {
      throw new Error(`${err.message}\n${children.describe()}`);
    });
    const names = await waitFor(
      'series scraped',
      async () => {
        const result = await prometheus.query('count by (__name__) ({__name__=~"ingest_.+", job="sink-postgres"})');
        const found = new Set(result.map((r) => r.metric.__name__!));
        return found.has('ingest_records_total') && found.has('ingest_lag_seconds_bucket') && found.has('ingest_consumer_lag_records') ? found : undefined;
      },
      30_000,
      500,
    );
    // ingest_circuit_state appears at a circuit's first transition (kafka-runtime records none
    // at start), so a healthy run has none; the dlq/retry counters appear at their first event.
    for (const name of [
      'ingest_records_total',
      'ingest_lag_seconds_bucket',
      'ingest_lag_seconds_count',
      'ingest_backpressure_state',
      'ingest_consumer_lag_records',
      'ingest_consumer_lag_seconds',
      'ingest_build_info',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    const written = await prometheus.query(`sum(ingest_records_total{job="sink-postgres", app="sink-postgres", outcome="written"})`);
    expect(Number(written[0]!.value[1])).toBeGreaterThanOrEqual(100);
    const states = await prometheus.query('ingest_backpressure_state{job="sink-postgres"}');
    expect(states.map((s) => s.metric.state).sort()).toEqual(['brownout', 'drain', 'normal', 'paused', 'throttled']);
    expect(states.find((s) => s.metric.state === 'normal')!.value[1]).toBe('1');
    // The exporter sees the group once it has committed, on its next sample and scrape.
    const exporter = await waitFor(
      'exporter series',
      async () => {
        const r = await prometheus.query(`ingest_consumer_lag_records{job="mesh-lag-exporter", group="${group}"}`);
        return r.length === 3 ? r : undefined;
      },
      30_000,
      500,
    );
    expect(exporter.map((s) => s.metric.app)).toEqual(['mesh-lag-exporter', 'mesh-lag-exporter', 'mesh-lag-exporter']);
    // Caught up: no consumer alert for the group (a pending one from the first burst resolves).
    await waitFor(
      'no alert for a caught-up group',
      async () => ((await prometheus.alerts()).some((a) => a.labels.group === group) ? undefined : true),
      30_000,
      500,
    );
  });

  it('fires ConsumerGroupLagHigh by records and by time when the sink is stopped under load', async () => {
    await children.stop(sink.app!);
    const feeding = setInterval(() => void sink.produce(20).catch(() => undefined), 300);
    try {
      const firing = await waitFor(
        'ConsumerGroupLagHigh firing by records and time',
        async () => {
          const alerts = (await prometheus.alerts()).filter(
            (a) => a.labels.alertname === 'ConsumerGroupLagHigh' && a.labels.group === group && a.state === 'firing',
          );
          return alerts.some((a) => a.labels.lag === 'records') && alerts.some((a) => a.labels.lag === 'time') ? alerts : undefined;
        },
        60_000,
        500,
      );
      expect(firing.map((a) => a.labels)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ lag: 'records', topic, test: 'short', severity: 'warning' }),
          expect.objectContaining({ lag: 'time', topic, test: 'short', severity: 'warning' }),
        ]),
      );
      expect(firing[0]!.annotations.runbook_url).toMatch(/alerts\.md#consumergrouplaghigh$/);
      // The app is down: its own lag series went stale; the exporter's is what fired.
      expect(await prometheus.query('up{job="sink-postgres"} == 0')).toHaveLength(1);
      const sources = await prometheus.query(`count by (app) (ingest_consumer_lag_records{group="${group}"})`);
      expect(sources.map((s) => s.metric.app)).toEqual(['mesh-lag-exporter']);
    } finally {
      clearInterval(feeding);
    }
  });
});
