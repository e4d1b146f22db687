// k8s/dashboards/ingest-mesh.json: valid JSON Grafana can load, the panels operators need, and
// every PromQL expression reads only metrics libs/telemetry exports (a renamed metric fails here).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownSeries, metricNames } from './promql-names.js';
import { REPO_ROOT } from './tools.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string; refId: string }[];
  gridPos: { x: number; y: number; w: number; h: number };
}

const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'k8s/dashboards/ingest-mesh.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: unknown }[] };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

describe('the Grafana dashboard', () => {
  it('has a stable uid, unique panel ids and a query per panel', () => {
    expect(dashboard.uid).toBe('ingest-mesh');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('shows lag, throughput, DLQ by reason, backpressure states and circuits', () => {
    const all = exprs.map((e) => e.expr).join('\n');
    for (const metric of [
      'ingest_lag_seconds_bucket',
      'ingest_consumer_lag_records',
      'ingest_consumer_lag_seconds',
      'ingest_records_total',
      'ingest_dlq_total',
      'ingest_backpressure_state',
      'ingest_circuit_state',
    ]) {
      expect(all).toContain(metric);
    }
    expect(exprs.find((e) => e.panel === 'Dead letters by reason')!.expr).toMatch(/by \(app, reason\)/);
  });

  it('shows late revisions apart: the dead-letter share leaves OLDER_REVISION out, a panel counts them by action', () => {
    expect(exprs.find((e) => e.panel.startsWith('Dead-letter share of records'))!.expr).toContain('reason!="OLDER_REVISION"');
    expect(exprs.find((e) => e.expr.includes('ingest_older_revisions_total'))!.expr).toMatch(/^sum by \(app, action\) /);
  });

  it("shows ingest-router's slow lane per tenant: records waiting and the oldest one's age", () => {
    const lane = panels.find((p) => p.title.startsWith('Slow lane per tenant'))!;
    expect(lane, 'no slow-lane panel').toBeDefined();
    const byMetric = (m: string) => lane.targets!.find((t) => t.expr.includes(m))?.expr;
    expect(byMetric('ingest_deferred_waiting_records')).toMatch(/^max by \(tenant\) /);
    expect(byMetric('ingest_deferred_oldest_age_seconds')).toMatch(/^max by \(tenant\) /);
  });

  it('lays panels out without overlaps', () => {
    const overlap = (a: Panel, b: Panel) =>
      a.gridPos.x < b.gridPos.x + b.gridPos.w &&
      b.gridPos.x < a.gridPos.x + a.gridPos.w &&
      a.gridPos.y < b.gridPos.y + b.gridPos.h &&
      b.gridPos.y < a.gridPos.y + a.gridPos.h;
    const all = dashboard.panels;
    const clashes = all.flatMap((a, i) =>
      all
        .slice(i + 1)
        .filter((b) => overlap(a, b))
        .map((b) => `${a.title} / ${b.title}`),
    );
    expect(clashes).toEqual([]);
  });

  it("reads only metrics in libs/telemetry's list", () => {
    const known = knownSeries();
    const queries = [
      ...exprs,
      ...dashboard.templating.list
        .filter((v) => v.name === 'app')
        .map((v) => ({ panel: 'variable app', expr: String((v.query as { query: string }).query).replace(/^label_values\((\w+),.*$/, '$1') })),
    ];
    const unknown = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((m) => !known.has(m))
        .map((m) => `${q.panel}: ${m}`),
    );
    expect(unknown).toEqual([]);
    expect(queries.length).toBeGreaterThan(10);
  });
});
