// Every chart under k8s/charts (the five apps, mesh-lag-exporter, mesh-observability and any
// sink the nx generator adds) is linted and rendered with the pinned helm, and the output is
// validated with kubeconform -strict against Kubernetes 1.36's schemas and the CRDs of
// prometheus-operator (ServiceMonitor, PrometheusRule) and KEDA (ScaledObject), offline.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaDir } from './k8s-schemas/schema-store.js';
import { ChartWorkspace, type Manifest } from './test-support/charts.js';

let ws: ChartWorkspace;
let schemas: string;
const rendered = new Map<string, { text: string; manifests: Manifest[] }>();

/** What `nx g @ingest-mesh/nx-plugin:sink chartcheck` writes under k8s/, into the scratch copy. */
// Loaded at run time: the plugin is CommonJS TypeScript compiled under its own settings.
const GENERATOR = '@ingest-mesh/nx-plugin/src/sink/generator';
type SinkGenerator = (tree: Tree, options: { name: string; skipRegister?: boolean }) => Promise<unknown>;

async function generateSinkChart(dir: string): Promise<void> {
  const { sinkGenerator } = (await import(GENERATOR)) as { sinkGenerator: SinkGenerator };
  const tree = createTreeWithEmptyWorkspace();
  await sinkGenerator(tree, { name: 'chartcheck', skipRegister: true });
  for (const change of tree.listChanges()) {
    if (!change.path.startsWith('k8s/charts/') || !change.content) continue;
    mkdirSync(path.dirname(path.join(dir, change.path)), { recursive: true });
    writeFileSync(path.join(dir, change.path), change.content);
  }
}

beforeAll(async () => {
  ws = new ChartWorkspace();
  await generateSinkChart(ws.dir);
  schemas = await schemaDir();
  for (const chart of ws.appCharts()) {
    ws.dependencyBuild(chart);
    rendered.set(chart, await ws.template(chart));
  }
}, 240_000);

afterAll(() => ws?.remove());

type Container = {
  name: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: object; limits?: object };
  securityContext?: { readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean };
};

function deployment(chart: string) {
  const d = rendered.get(chart)!.manifests.find((m) => m.kind === 'Deployment')!;
  const pod = (d.spec as { template: { spec: { securityContext: { runAsNonRoot: boolean }; containers: Container[] } } }).template.spec;
  return { d, pod, container: pod.containers[0]! };
}

const APPS = ['dlq-redriver', 'ingest-router', 'replay-coordinator', 'sink-postgres', 'sink-search'];

describe('the charts', () => {
  it('cover the five apps, the lag exporter, the observability chart and a sink the nx generator makes', () => {
    expect(ws.appCharts()).toEqual(expect.arrayContaining([...APPS, 'mesh-lag-exporter', 'mesh-observability', 'sink-chartcheck']));
  });

  it('lint clean with helm lint --strict', () => {
    for (const chart of ws.appCharts()) {
      const r = ws.helm(['lint', '--strict', ws.chartDir(chart)], { allowFail: true });
      expect(r.status, `${chart}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it('render manifests valid against the Kubernetes and CRD schemas (kubeconform -strict, nothing skipped)', () => {
    for (const [chart, { text }] of rendered) {
      const result = ws.kubeconform(text, schemas);
      const bad = result.resources.filter((r) => r.status !== 'statusValid');
      expect(bad, chart).toEqual([]);
      expect(result.summary.valid, chart).toBeGreaterThan(0);
      expect(result.summary.skipped, chart).toBe(0);
    }
  });

  it('would catch a typo: the generated schemas reject unknown fields in built-in kinds and CRDs', () => {
    const typos = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}',
      'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec: {scaleTargetRef: {name: x}, triggers: [{type: kafka, metadat: {}}]}',
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\nspec: {selector: {}, endpoints: [{port: http, intervall: 15s}]}',
    ].join('\n---\n');
    let out = '';
    try {
      ws.kubeconform(typos, schemas);
    } catch (err) {
      out = String((err as { stdout?: string }).stdout);
    }
    const result = JSON.parse(out) as { summary: { invalid: number }; resources: { msg: string }[] };
    expect(result.summary.invalid).toBe(3);
    expect(result.resources.map((r) => r.msg).join('\n')).toMatch(
      /'replica' not allowed[\s\S]*'metadat' not allowed|'metadat' not allowed[\s\S]*'replica' not allowed/,
    );
  });

  it('give every app probes on /health/live and /health/ready, resources and a non-root, read-only container', () => {
    for (const app of [...APPS, 'mesh-lag-exporter', 'sink-chartcheck']) {
      const { pod, container } = deployment(app);
      expect(container.livenessProbe?.httpGet?.path, app).toBe('/health/live');
      expect(container.readinessProbe?.httpGet?.path, app).toBe('/health/ready');
      expect(container.resources?.requests, app).toBeDefined();
      expect(container.resources?.limits, app).toBeDefined();
      expect(pod.securityContext.runAsNonRoot, app).toBe(true);
      expect(container.securityContext, app).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    }
  });

  it('take secrets only by reference', () => {
    for (const app of [...APPS, 'sink-chartcheck']) {
      const env = deployment(app).container.env ?? [];
      for (const name of ['MESH_ADMIN_TOKEN', 'MESH_CONTROL_SECRET', 'REDIS_URL']) {
        expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef, `${app} ${name}`).toBeDefined();
      }
      expect(
        env.filter((e) => /TOKEN|SECRET|PASSWORD/.test(e.name) && e.value !== undefined),
        app,
      ).toEqual([]);
    }
    expect(deployment('sink-postgres').container.env!.find((e) => e.name === 'DATABASE_URL')!.valueFrom!.secretKeyRef).toEqual({
      name: 'sink-postgres',
      key: 'database-url',
    });
  });

  it("pass every sink's SINK_OLDER_REVISION through env: dlq by default, skip when an operator sets it", async () => {
    for (const app of ['sink-postgres', 'sink-search', 'sink-chartcheck']) {
      expect(deployment(app).container.env ?? [], app).toContainEqual({ name: 'SINK_OLDER_REVISION', value: 'dlq' });
    }
    const { manifests } = await ws.template('sink-search', ['env.SINK_OLDER_REVISION=skip']);
    const d = manifests.find((m) => m.kind === 'Deployment')!;
    const container = (d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;
    expect(container.env ?? []).toContainEqual({ name: 'SINK_OLDER_REVISION', value: 'skip' });
  });

  it('refuse a secret put in plain env, naming it', () => {
    ws.dependencyBuild('sink-postgres');
    const token = ws.helm(['template', 'rel', ws.chartDir('sink-postgres'), '--set', 'env.MESH_ADMIN_TOKEN=abc'], { allowFail: true });
    expect(token.status).not.toBe(0);
    expect(token.stderr).toContain('env.MESH_ADMIN_TOKEN looks like a secret');
    const url = ws.helm(['template', 'rel', ws.chartDir('sink-postgres'), '--set', 'env.ARCHIVE_URL=postgres://u:pw@db/x'], { allowFail: true });
    expect(url.stderr).toContain('env.ARCHIVE_URL holds a URL with a password');
    // The OTLP headers usually carry the collector's API key.
    const headers = ws.helm(['template', 'rel', ws.chartDir('sink-postgres'), '--set', 'env.OTEL_EXPORTER_OTLP_HEADERS=api-key=k'], { allowFail: true });
    expect(headers.stderr).toContain('env.OTEL_EXPORTER_OTLP_HEADERS looks like a secret');
  });

  it('export traces only when tracing.endpoint is set, sampled at 1 % by default', async () => {
    expect((deployment('ingest-router').container.env ?? []).filter((e) => e.name.startsWith('OTEL_'))).toEqual([]);
    const { manifests } = await ws.template('ingest-router', ['tracing.endpoint=http://otel-collector.observability:4318']);
    const d = manifests.find((m) => m.kind === 'Deployment')!;
    const container = (d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;
    expect((container.env ?? []).filter((e) => e.name.startsWith('OTEL_'))).toEqual([
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability:4318' },
      { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
      { name: 'OTEL_TRACES_SAMPLER_ARG', value: '0.01' },
    ]);
  });

  it('scale consumers on their group lag with KEDA (group mesh.<app>, the app topic), with a PDB and a ServiceMonitor', () => {
    for (const [app, topic] of [
      ['ingest-router', 'ingest.raw'],
      ['sink-postgres', 'sink.postgres'],
      ['sink-search', 'sink.search'],
      ['sink-chartcheck', 'sink.chartcheck'],
    ] as const) {
      const m = rendered.get(app)!.manifests;
      const so = m.find((x) => x.kind === 'ScaledObject')!;
      const trigger = (so.spec as { triggers: { type: string; metadata: Record<string, string> }[] }).triggers[0]!;
      expect(trigger).toMatchObject({ type: 'kafka', metadata: { consumerGroup: `mesh.${app}`, topic } });
      expect(
        m.find((x) => x.kind === 'PodDisruptionBudget'),
        app,
      ).toBeDefined();
      expect(
        m.find((x) => x.kind === 'ServiceMonitor'),
        app,
      ).toBeDefined();
      expect(
        m.find((x) => x.kind === 'HorizontalPodAutoscaler'),
        app,
      ).toBeUndefined();
    }
  });

  it('fall back to a HorizontalPodAutoscaler when KEDA is off, on CPU or also on the lag metric, schema-valid', async () => {
    const { text, manifests } = await ws.template('sink-search', ['autoscaling.keda.enabled=false']);
    expect(manifests.find((m) => m.kind === 'ScaledObject')).toBeUndefined();
    expect(manifests.find((m) => m.kind === 'HorizontalPodAutoscaler')!.spec).toMatchObject({ minReplicas: 1, maxReplicas: 6 });
    expect(ws.kubeconform(text, schemas).summary.invalid).toBe(0);
    const lag = await ws.template('sink-search', ['autoscaling.keda.enabled=false', 'autoscaling.hpa.lagMetric=true']);
    const metrics = (lag.manifests.find((m) => m.kind === 'HorizontalPodAutoscaler')!.spec as { metrics: { type: string; external?: unknown }[] }).metrics;
    expect(metrics[0]).toMatchObject({
      type: 'External',
      external: { metric: { name: 'ingest_consumer_lag_records', selector: { matchLabels: { group: 'mesh.sink-search' } } }, target: { averageValue: '1000' } },
    });
    expect(ws.kubeconform(lag.text, schemas).summary.invalid).toBe(0);
  });

  it('ship the alert rules file unchanged as a PrometheusRule and the dashboard as a sidecar ConfigMap', async () => {
    const { readFileSync } = await import('node:fs');
    const { readConfigFile } = await import('@ingest-mesh/config-file');
    const m = rendered.get('mesh-observability')!.manifests;
    const rule = m.find((x) => x.kind === 'PrometheusRule')!;
    const file = (await readConfigFile(`${ws.dir}/k8s/alerts/ingest-mesh.rules.yaml`)) as { groups: unknown[] };
    expect(rule.spec).toEqual({ groups: file.groups });
    const cm = m.find((x) => x.kind === 'ConfigMap')!;
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(JSON.parse(cm.data!['ingest-mesh.json']!)).toEqual(JSON.parse(readFileSync(`${ws.dir}/k8s/dashboards/ingest-mesh.json`, 'utf8')));
  });

  it("set IngestDeferredRecordsWaiting's bound from alerts.deferredOldestAgeSeconds and change nothing else, promtool-valid", async () => {
    const { spawnSync } = await import('node:child_process');
    const { readConfigFile } = await import('@ingest-mesh/config-file');
    type Rule = { alert?: string; expr: string; annotations?: Record<string, string> };
    type Group = { name: string; rules: Rule[] };
    const { text, manifests } = await ws.template('mesh-observability', ['alerts.deferredOldestAgeSeconds=900']);
    expect(ws.kubeconform(text, schemas).summary.invalid).toBe(0);
    const groups = (manifests.find((x) => x.kind === 'PrometheusRule')!.spec as { groups: Group[] }).groups;
    const file = (await readConfigFile(`${ws.dir}/k8s/alerts/ingest-mesh.rules.yaml`)) as { groups: Group[] };
    const isDeferred = (r: Rule) => r.alert === 'IngestDeferredRecordsWaiting';
    const deferred = groups.flatMap((g) => g.rules).find(isDeferred)!;
    expect(deferred.expr.trim()).toBe('max by (tenant) (ingest_deferred_oldest_age_seconds) > 900');
    expect(deferred.annotations!.summary).toContain('(> 900 s)');
    expect(deferred.annotations!.description).toContain('over 900 s');
    expect(JSON.stringify(deferred)).not.toContain('600');
    const others = (gs: Group[]) => gs.map((g) => ({ ...g, rules: g.rules.filter((r) => !isDeferred(r)) }));
    expect(others(groups)).toEqual(others(file.groups));
    const rendered = `${ws.dir}/rendered.rules.yaml`;
    writeFileSync(rendered, JSON.stringify({ groups }));
    const check = spawnSync(ws.tools.promtool, ['check', 'rules', rendered], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    for (const bad of ['0', '-60', '600.5', 'ten-minutes']) {
      const r = ws.helm(['template', 'rel', ws.chartDir('mesh-observability'), '--set', `alerts.deferredOldestAgeSeconds=${bad}`], { allowFail: true });
      expect(r.status, bad).not.toBe(0);
      expect(r.stderr, bad).toContain('alerts.deferredOldestAgeSeconds must be a whole number of seconds above 0');
    }
  });

  it('refuse to render when the rules file no longer has the bound the chart sets', async () => {
    const { readFileSync } = await import('node:fs');
    const rules = `${ws.dir}/k8s/alerts/ingest-mesh.rules.yaml`;
    const original = readFileSync(rules, 'utf8');
    try {
      writeFileSync(rules, original.replace('(ingest_deferred_oldest_age_seconds) > 600', '(ingest_deferred_oldest_age_seconds) > 900'));
      const r = ws.helm(['template', 'rel', ws.chartDir('mesh-observability')], { allowFail: true });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('IngestDeferredRecordsWaiting no longer reads');
    } finally {
      writeFileSync(rules, original);
    }
  });
});
