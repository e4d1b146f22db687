// The real alert rules with test-sized durations and thresholds: the same expressions, so a test
// proves the expressions fire on a live mesh without waiting ten minutes for 10 000 records.
import { readConfigFile } from '@ingest-mesh/config-file';
import { REPO_ROOT } from '../tools.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export async function shortRules(
  groupName: string,
  thresholds: Record<string, string>,
  forDuration = '3s',
): Promise<{ groups: { name: string; rules: Rule[] }[] }> {
  const real = (await readConfigFile(`${REPO_ROOT}/k8s/alerts/ingest-mesh.rules.yaml`)) as { groups: { name: string; rules: Rule[] }[] };
  const group = real.groups.find((g) => g.name === groupName);
  if (!group) throw new Error(`no rule group ${groupName} in the real rules`);
  const rules = group.rules.map((r) => {
    let expr = r.expr;
    for (const [from, to] of Object.entries(thresholds)) expr = expr.replace(from, to);
    return { ...r, expr, for: forDuration, labels: { ...r.labels, test: 'short' } };
  });
  return { groups: [{ name: `${groupName}.short`, rules }] };
}
