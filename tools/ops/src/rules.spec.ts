// The alert rules (k8s/alerts/ingest-mesh.rules.yaml) with the real promtool (Debian's
// prometheus 2.42): syntax, the unit tests in tools/ops/rule-tests, the metric names, and a link
// from every alert to an existing runbook section.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfigFile } from '@ingest-mesh/config-file';
import { afterAll, describe, expect, it } from 'vitest';
import { knownSeries, metricNames } from './promql-names.js';
import { ensureOpsTools, OPS_DIR, REPO_ROOT } from './tools.js';

const RULES = path.join(REPO_ROOT, 'k8s/alerts/ingest-mesh.rules.yaml');
const TESTS = path.join(OPS_DIR, 'rule-tests/ingest-mesh.test.yaml');
const rules = (await readConfigFile(RULES)) as { groups: { rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[] };
const alerts = rules.groups.flatMap((g) => g.rules);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function promtool(...args: string[]) {
  const r = spawnSync(ensureOpsTools().promtool, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** GitHub's anchor of a Markdown heading. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

describe('the alert rules', () => {
  it('are valid for promtool check rules', () => {
    const r = promtool('check', 'rules', RULES);
    expect(r.out).toContain('SUCCESS');
    expect(r.status, r.out).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const r = promtool('test', 'rules', TESTS);
    expect(r.out).toContain('SUCCESS');
    expect(r.status, r.out).toBe(0);
  });

  it('have unit tests that fail when a threshold changes (the tests bite)', () => {
    const mutated = path.join(scratch, 'mutated.rules.yaml');
    writeFileSync(mutated, readFileSync(RULES, 'utf8').replace('> 10000', '> 20000'));
    const tests = path.join(scratch, 'mutated.test.yaml');
    writeFileSync(tests, readFileSync(TESTS, 'utf8').replace('../../../k8s/alerts/ingest-mesh.rules.yaml', mutated));
    const r = promtool('test', 'rules', tests);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('ConsumerGroupLagHigh');
  });

  it.each([
    ['a higher bound', '(ingest_deferred_oldest_age_seconds) > 600', '(ingest_deferred_oldest_age_seconds) > 1200'],
    ['the bound itself firing', '(ingest_deferred_oldest_age_seconds) > 600', '(ingest_deferred_oldest_age_seconds) >= 600'],
    ['a sum over router instances', 'max by (tenant) (ingest_deferred_oldest_age_seconds)', 'sum by (tenant) (ingest_deferred_oldest_age_seconds)'],
    ['a shorter for', '(ingest_deferred_oldest_age_seconds) > 600\n        for: 5m', '(ingest_deferred_oldest_age_seconds) > 600\n        for: 2m'],
  ])('have IngestDeferredRecordsWaiting tests that fail on %s', (_, from, to) => {
    const r = promtoolOnMutated('deferred', from, to);
    expect(r.status, r.out).not.toBe(0);
    expect(r.out).toContain('IngestDeferredRecordsWaiting');
  });

  it.each([
    ['IngestDLQRateHigh counting OLDER_REVISION', 'rate(ingest_dlq_total{reason!="OLDER_REVISION"}[10m])', 'rate(ingest_dlq_total[10m])', 'IngestDLQRateHigh'],
    [
      'IngestDLQSpike counting OLDER_REVISION',
      'increase(ingest_dlq_total{reason!="OLDER_REVISION"}[10m])',
      'increase(ingest_dlq_total[10m])',
      'IngestDLQSpike',
    ],
    ['IngestOlderRevisionsDeadLettered paging', 'labels: { severity: info }', 'labels: { severity: warning }', 'IngestOlderRevisionsDeadLettered'],
    [
      'IngestOlderRevisionsDeadLettered firing on a burst',
      '[15m])) > 0.1\n        for: 30m',
      '[15m])) > 0.1\n        for: 10m',
      'IngestOlderRevisionsDeadLettered',
    ],
  ])('have OLDER_REVISION tests that fail on %s', (_, from, to, alert) => {
    const r = promtoolOnMutated('older', from, to);
    expect(r.status, r.out).not.toBe(0);
    expect(r.out).toContain(alert);
  });

  it('include every alert operations asked for', () => {
    expect(new Set(alerts.map((a) => a.alert))).toEqual(
      new Set([
        'IngestLagHigh',
        'IngestLagCritical',
        'IngestDLQRateHigh',
        'IngestDLQSpike',
        'IngestOlderRevisionsDeadLettered',
        'IngestBackpressureStuck',
        'IngestCircuitBreakerOpen',
        'ConsumerGroupLagHigh',
        'MeshLagExporterDown',
        'NoDataReceived',
        'IngestAppIdle',
        'IngestDeferredRecordsWaiting',
      ]),
    );
  });

  it("read only metrics in libs/telemetry's list", () => {
    const known = knownSeries();
    const unknown = alerts.flatMap((a) =>
      metricNames(a.expr)
        .filter((m) => !known.has(m))
        .map((m) => `${a.alert}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  it('link each alert to its own section of docs/runbooks/alerts.md', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/runbooks/alerts.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/^#{2,3} (.+)$/gm)].map((m) => anchor(m[1]!)));
    for (const a of alerts) {
      const url = new URL(a.annotations.runbook_url!);
      expect(url.pathname, a.alert).toMatch(/\/docs\/runbooks\/alerts\.md$/);
      expect(url.hash.slice(1), a.alert).toBe(a.alert.toLowerCase());
      expect(anchors.has(url.hash.slice(1)), `${a.alert}: no heading for ${url.hash}`).toBe(true);
    }
  });
});

/** The rule tests run against the rules with `from` replaced by `to` (which must be there). */
function promtoolOnMutated(name: string, from: string, to: string) {
  const source = readFileSync(RULES, 'utf8');
  expect(source).toContain(from);
  const mutated = path.join(scratch, `mutated-${name}.rules.yaml`);
  writeFileSync(mutated, source.replace(from, to));
  const tests = path.join(scratch, `mutated-${name}.test.yaml`);
  writeFileSync(tests, readFileSync(TESTS, 'utf8').replace('../../../k8s/alerts/ingest-mesh.rules.yaml', mutated));
  return promtool('test', 'rules', tests);
}
