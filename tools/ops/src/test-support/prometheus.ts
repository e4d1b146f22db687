// For the ops int specs: a real Prometheus (Debian's 2.42 binary) on a free port with a generated
// config scraping the test's processes every second, its TSDB in a temporary directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@ingest-mesh/testing';
import { ensureOpsTools } from '../tools.js';
import type { Child, Children } from './processes.js';

export interface ScrapeJob {
  job: string;
  targets: string[];
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export class TestPrometheus {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-prometheus-'));
  private child: Child | undefined;

  constructor(
    private readonly children: Children,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Config and rule files are written as JSON, which is YAML too. */
  async start(jobs: ScrapeJob[], rules: Record<string, unknown>[]): Promise<void> {
    const ruleFiles = rules.map((r, i) => {
      const file = path.join(this.dir, `rules-${i}.yaml`);
      writeFileSync(file, JSON.stringify(r));
      return file;
    });
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: jobs.map((j) => ({ job_name: j.job, static_configs: [{ targets: j.targets }] })),
    };
    const configFile = path.join(this.dir, 'prometheus.yaml');
    writeFileSync(configFile, JSON.stringify(config));
    this.child = this.children.start(
      'prometheus',
      ensureOpsTools().prometheus,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { PATH: process.env.PATH },
    );
    await waitFor('Prometheus ready', async () => ((await fetch(`${this.url}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 30_000, 250);
  }

  async query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
    return body.data.result;
  }

  async alerts(): Promise<Alert[]> {
    const body = (await (await fetch(`${this.url}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
    return body.data.alerts;
  }

  async ruleGroups(): Promise<{ name: string; file: string; rules: { name: string; health: string; lastError?: string }[] }[]> {
    const body = (await (await fetch(`${this.url}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; file: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    return body.data.groups;
  }

  async stop(): Promise<void> {
    if (this.child) await this.children.stop(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
