// The runbooks' commands, run as written: every ```sh runbook block of docs/runbooks/*.md, in
// order, with bash -euo pipefail, against a real app (sink-postgres as its own process) through
// the variables the runbooks use ($APP_URL, $MESH_ADMIN_TOKEN, `mesh` on the PATH). Each block
// carries its own assertions (test, jq -e, curl -f), so exit 0 means the runbook works.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@ingest-mesh/testing';
import pg from 'pg';
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
/** The DLQ and replay sections talk to a dlq-redriver and a replay-coordinator of the run's own. */
const operators = {
  DLQ_STORE_SCHEMA: `${app.schema}_dlq`,
  REPLAY_SCHEMA: `${app.schema}_replay`,
  MESH_CONTROL_TOPIC: app.controlTopic,
  TENANT: `acme-${app.run}`,
  SOURCE_TOPIC: app.topic,
};

beforeAll(async () => {
  // `mesh` as operators have it (the doctor package's bin), without needing `npm install` links.
  for (const [name, entry] of [
    ['mesh', 'tools/doctor/bin/mesh.mjs'],
    ['dlqtriage', 'tools/dlqtriage/bin/dlqtriage.mjs'],
    ['replayctl', 'tools/replayctl/bin/replayctl.mjs'],
  ]) {
    writeFileSync(path.join(bin, name!), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO_ROOT, entry!)}" "$@"\n`);
    chmodSync(path.join(bin, name!), 0o755);
  }
  await app.start();
  const shared = { ...process.env, ...app.secrets, ...operators, MESH_HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn', MESH_SHUTDOWN_DEADLINE_MS: '5000' };
  const ports = { redriver: await freePort(), coordinator: await freePort() };
  children.node('dlq-redriver', path.join(REPO_ROOT, 'apps/dlq-redriver/src/main.ts'), {
    ...shared,
    MESH_HTTP_PORT: String(ports.redriver),
    DLQ_GROUP_ID: `${app.group}.dlq`,
    DLQ_TOPIC_PATTERN: `^dlq\\.runbook-${app.run}$`,
    DLQ_AUTO_REDRIVE: 'false',
  });
  children.node('replay-coordinator', path.join(REPO_ROOT, 'apps/replay-coordinator/src/main.ts'), {
    ...shared,
    MESH_HTTP_PORT: String(ports.coordinator),
    REPLAY_GROUP_ID: `${app.group}.replay`,
    REPLAY_GROUP_PREFIX: `${app.group}.replay.run`,
  });
  await app.waitReady();
  for (const [name, port] of Object.entries(ports)) {
    await waitFor(
      `${name} ready`,
      async () => ((await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok ? true : undefined),
      90_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${children.describe()}`);
    });
  }
}, 180_000);

afterAll(async () => {
  await children.stopAll();
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  for (const schema of [operators.DLQ_STORE_SCHEMA, operators.REPLAY_SCHEMA]) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.end();
  await app.stop();
  rmSync(bin, { recursive: true, force: true });
}, 60_000);

describe('the runbooks', () => {
  it('have runnable blocks for looking at, draining, resuming, browning out and pausing an app, and mesh doctor', () => {
    const headings = new Set(blocks.map((b) => b.heading));
    for (const h of ['Look at an instance', 'Drain', 'Resume', 'Brownout', 'Pause', 'mesh doctor', 'DLQ triage and redrive', 'Replay a time window'])
      expect(headings.has(h), h).toBe(true);
  });

  it('run as written against a real app, every block exiting 0', () => {
    const env = { ...process.env, ...app.secrets, ...operators, APP_URL: app.url, PATH: `${bin}:${process.env.PATH}` };
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
