// The kubeconform schema directory, generated once per pinned version set into a cache
// (~/.cache/ingest-mesh/k8s-schemas/<versions>/) from the Go module cache: Kubernetes'
// swagger.json (k8s.io/kubernetes), ServiceMonitor/PrometheusRule (prometheus-operator) and
// ScaledObject (KEDA). `go mod download` fetches missing modules through the Go module proxy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfigFile } from '@ingest-mesh/config-file';
import { kindsFromCrd, kindsFromSwagger, type Schema } from './to-json-schema.js';
import { goBinary, opsVersions } from '../tools.js';

const CRDS = [
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'PROMETHEUS_OPERATOR_VERSION',
    files: [
      'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
      'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
    ],
  },
  {
    module: 'github.com/kedacore/keda/v2',
    version: 'KEDA_VERSION',
    files: ['config/crd/bases/keda.sh_scaledobjects.yaml', 'config/crd/bases/keda.sh_triggerauthentications.yaml'],
  },
] as const;

function moduleDir(module: string, version: string): string {
  const out = execFileSync(goBinary(), ['mod', 'download', '-json', `${module}@${version}`], {
    cwd: os.tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  const dir = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!dir.Dir) throw new Error(`go mod download ${module}@${version}: ${dir.Error ?? 'no directory'}`);
  return dir.Dir;
}

/** The directory of schemas for kubeconform's `-schema-location <dir>/{{ .ResourceKind }}{{ .KindSuffix }}.json`. */
export async function schemaDir(cacheRoot = path.join(os.homedir(), '.cache/ingest-mesh/k8s-schemas')): Promise<string> {
  const v = opsVersions();
  const dir = path.join(cacheRoot, `k8s-${v.KUBERNETES_VERSION}_po-${v.PROMETHEUS_OPERATOR_VERSION}_keda-${v.KEDA_VERSION}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const kinds = new Map<string, Schema>();
  const k8s = moduleDir('k8s.io/kubernetes', v.KUBERNETES_VERSION!);
  for (const [file, schema] of kindsFromSwagger(JSON.parse(readFileSync(path.join(k8s, 'api/openapi-spec/swagger.json'), 'utf8')))) kinds.set(file, schema);
  for (const crd of CRDS) {
    const dirOf = moduleDir(crd.module, v[crd.version]!);
    for (const f of crd.files)
      for (const [file, schema] of kindsFromCrd((await readConfigFile(path.join(dirOf, f))) as Parameters<typeof kindsFromCrd>[0])) kinds.set(file, schema);
  }
  for (const [file, schema] of kinds) writeFileSync(path.join(tmp, file), JSON.stringify(schema));
  writeFileSync(path.join(tmp, '.complete'), `${kinds.size}\n`);
  mkdirSync(path.dirname(dir), { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Another process finished first: its copy is as good.
    if (!existsSync(path.join(dir, '.complete'))) throw err;
  }
  return dir;
}
