// The runbooks' commands, run as written: every ```sh runbook block of docs/runbooks/*.md, in
// order, with bash -euo pipefail, against a real app (sink-postgres as its own process) through
// the variables the runbooks use ($APP_URL, $MESH_ADMIN_TOKEN, `mesh` on the PATH). Each block
// carries its own assertions (test, jq -e, curl -f), so exit 0 means the runbook works.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshAppRun } from './test-support/mesh-app.js';
import { Children } from './test-support/processes.js';
import { REPO_ROOT } from './tools.js';

const RUNBOOKS = path.join(REPO_ROOT, 'docs/runbooks');

/** The ```sh runbook blocks of a Markdown text, with the heading each sits under. */
export function runbookBlocks(markdown: string): { heading: string; script: string }[] {
  const out: { heading: string; script: string }[] = [];
  let heading = '';
  let block: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (block) {
      if (/^```\s*$/.test(line)) {
        out.push({ heading, script: block.join('\n') });
        block = undefined;
      } else block.push(line);
    } else if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    else if (/^```sh runbook\s*$/.test(line)) block = [];
  }
  return out;
}

const blocks = readdirSync(RUNBOOKS)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .flatMap((f) => runbookBlocks(readFileSync(path.join(RUNBOOKS, f), 'utf8')).map((b) => ({ ...b, file: f })));

const children = new Children();
const app = new MeshAppRun(children, 'runbook');
const bin = mkdtempSync(path.join(os.tmpdir(), 'mesh-runbook-bin-'));

beforeAll(async () => {
  // `mesh` as operators have it (the doctor package's bin), without needing `npm install` links.
  writeFileSync(path.join(bin, 'mesh'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO_ROOT, 'tools/doctor/bin/mesh.mjs')}" "$@"\n`);
  chmodSync(path.join(bin, 'mesh'), 0o755);
  await app.start();
  await app.waitReady();
}, 180_000);

afterAll(async () => {
  await children.stopAll();
  await app.stop();
  rmSync(bin, { recursive: true, force: true });
}, 60_000);

describe('the runbooks', () => {
  it('have runnable blocks for looking at, draining, resuming, browning out and pausing an app, and mesh doctor', () => {
    const headings = new Set(blocks.map((b) => b.heading));
    for (const h of ['Look at an instance', 'Drain', 'Resume', 'Brownout', 'Pause', 'mesh doctor']) expect(headings.has(h), h).toBe(true);
  });

  it('run as written against a real app, every block exiting 0', () => {
    const env = { ...process.env, ...app.secrets, APP_URL: app.url, PATH: `${bin}:${process.env.PATH}` };
    for (const b of blocks) {
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', b.script], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${b.file} § ${b.heading}:\n${b.script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
    }
  }, 180_000);

  it('would notice a command that stopped working (the blocks assert, not just print)', () => {
    const drain = blocks.find((b) => b.heading === 'Drain')!;
    // The drain block against an app that ignores the admin call: its readiness check fails.
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', drain.script.replace('/admin/drain', '/admin/resume')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...app.secrets, APP_URL: app.url },
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
  });
});
