// The pinned ops tools (tools/ops/versions.env) and where they are: helm and kubeconform in the
// cache bin (MESH_TOOLS_BIN, default ~/.cache/ingest-mesh/bin), promtool and prometheus from
// Debian's package. ensureOpsTools() runs bin/install-tools.sh, a no-op when all are there.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const OPS_DIR = path.resolve(import.meta.dirname, '..');
export const REPO_ROOT = path.resolve(OPS_DIR, '../..');

export function opsVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path.join(OPS_DIR, 'versions.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(\S+)/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function toolsBin(): string {
  return process.env.MESH_TOOLS_BIN || path.join(os.homedir(), '.cache/ingest-mesh/bin');
}

export function goBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  return '/usr/local/go/bin/go';
}

export interface OpsTools {
  helm: string;
  kubeconform: string;
  promtool: string;
  prometheus: string;
}

let checked: OpsTools | undefined;

export function ensureOpsTools(): OpsTools {
  if (checked) return checked;
  const bin = toolsBin();
  const tools = { helm: path.join(bin, 'helm'), kubeconform: path.join(bin, 'kubeconform'), promtool: which('promtool'), prometheus: which('prometheus') };
  if (!existsSync(tools.helm) || !existsSync(tools.kubeconform) || !tools.promtool || !tools.prometheus) {
    execFileSync('bash', [path.join(OPS_DIR, 'bin/install-tools.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
    tools.promtool = which('promtool');
    tools.prometheus = which('prometheus');
  }
  checked = tools;
  return tools;
}

function which(name: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  return existsSync(`/usr/bin/${name}`) ? `/usr/bin/${name}` : '';
}
