// For the chart specs: a scratch copy of k8s/ (symlinks and file:// dependencies resolve in it
// as in the repository), helm dependency build / lint / template, kubeconform on the output.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfigFile } from '@ingest-mesh/config-file';
import { ensureOpsTools, REPO_ROOT } from '../tools.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export class ChartWorkspace {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-charts-'));
  readonly tools = ensureOpsTools();

  constructor() {
    cpSync(path.join(REPO_ROOT, 'k8s'), path.join(this.dir, 'k8s'), { recursive: true, verbatimSymlinks: true });
  }

  chartDir(name: string): string {
    return path.join(this.dir, 'k8s/charts', name);
  }

  /** Application charts (the library chart is rendered through them). */
  appCharts(): string[] {
    return readdirSync(path.join(this.dir, 'k8s/charts'))
      .filter((c) => !/type:\s*library/.test(readFileSync(path.join(this.chartDir(c), 'Chart.yaml'), 'utf8')))
      .sort();
  }

  helm(args: string[], opts: { allowFail?: boolean } = {}): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(this.tools.helm, args, {
      encoding: 'utf8',
      env: {
        ...process.env,
        HELM_CACHE_HOME: path.join(this.dir, '.helm/cache'),
        HELM_CONFIG_HOME: path.join(this.dir, '.helm/config'),
        HELM_DATA_HOME: path.join(this.dir, '.helm/data'),
      },
    });
    if (r.status !== 0 && !opts.allowFail) throw new Error(`helm ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  dependencyBuild(chart: string): void {
    if (readFileSync(path.join(this.chartDir(chart), 'Chart.yaml'), 'utf8').includes('dependencies:')) this.helm(['dependency', 'build', this.chartDir(chart)]);
  }

  async template(chart: string, set: string[] = []): Promise<{ text: string; manifests: Manifest[] }> {
    const text = this.helm(['template', 'rel', this.chartDir(chart), '--namespace', 'mesh', ...set.flatMap((s) => ['--set', s])]).stdout;
    return { text, manifests: await this.parseYaml(text) };
  }

  /** The documents of a multi-document YAML text (through config-file's YAML reader). */
  async parseYaml(text: string): Promise<Manifest[]> {
    const out: Manifest[] = [];
    for (const [i, doc] of text.split(/^---\s*$/m).entries()) {
      const file = path.join(this.dir, `doc-${i}.yaml`);
      writeFileSync(file, doc);
      const m = (await readConfigFile(file)) as Manifest | null;
      if (m) out.push(m);
    }
    return out;
  }

  /** kubeconform -strict on rendered YAML; returns its JSON summary and per-resource results. */
  kubeconform(
    yamlText: string,
    schemaDir: string,
  ): {
    summary: { valid: number; invalid: number; errors: number; skipped: number };
    resources: { kind: string; name: string; status: string; msg: string }[];
  } {
    const out = execFileSync(
      this.tools.kubeconform,
      ['-strict', '-summary', '-output', 'json', '-schema-location', `${schemaDir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, '-'],
      { input: yamlText, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
    );
    return JSON.parse(out);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
