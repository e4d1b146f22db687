// The generator for real: a scratch copy of this workspace (its files as git sees them, sharing
// node_modules), `nx g @ingest-mesh/nx-plugin:sink` there, then the new app's build, lint, unit
// and integration tests — untouched — against the real stack the outer run started.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '../../../..');
const SINK = 'ledger';

interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

describe('nx g @ingest-mesh/nx-plugin:sink in a scratch copy of the workspace', () => {
  let scratch: string;
  // The scratch copy uses the stack the outer run brought up, and no Nx daemon or cloud.
  const env = { ...process.env, MESH_STACK: 'external', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' };
  /** Runs nx in the scratch copy; a failure carries nx's output. Returns stdout and stderr together. */
  const nx = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [path.join(scratch, 'node_modules/nx/dist/bin/nx.js'), ...args], {
        cwd: scratch,
        env,
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      return `${stdout}${stderr}`;
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`nx ${args.join(' ')} failed:\n${stdout.slice(-6000)}\n${stderr.slice(-4000)}`);
    }
  };
  const results = (kind: 'unit' | 'int') =>
    JSON.parse(readFileSync(path.join(scratch, 'dist/test-results', `sink-${SINK}.${kind}.json`), 'utf8')) as VitestJson;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-generate-sink-'));
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    for (const file of stdout.split('\0').filter((f) => f !== '')) {
      try {
        cpSync(path.join(REPO, file), path.join(scratch, file), { recursive: true });
      } catch (err) {
        // A file deleted in the working tree but still in the index: git would not check it out either.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    // The installed packages: the root's, and those npm nested in a workspace package for a version of its own.
    for (const dir of ['.', ...['apps', 'libs', 'tools'].flatMap((group) => readdirSync(path.join(REPO, group)).map((p) => `${group}/${p}`))]) {
      if (existsSync(path.join(REPO, dir, 'node_modules')) && existsSync(path.join(scratch, dir))) {
        symlinkSync(path.join(REPO, dir, 'node_modules'), path.join(scratch, dir, 'node_modules'), 'dir');
      }
    }
  }, 120_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('generates the app and registers it', async () => {
    const output = await nx('g', `@ingest-mesh/nx-plugin:sink`, SINK, '--no-interactive');
    expect(output).toContain(`CREATE apps/sink-${SINK}/src/${SINK}-sink.ts`);
    expect(readFileSync(path.join(scratch, 'tools/mesh/apps.list'), 'utf8')).toMatch(new RegExp(`\\nsink-${SINK} \\d+\\n$`));
  }, 120_000);

  it('builds and lints as generated (module boundaries included)', async () => {
    await nx('run-many', '-t', 'build', 'lint', '-p', `sink-${SINK}`, '--output-style=static');
  }, 600_000);

  it('passes its unit tests as generated', async () => {
    await nx('run', `sink-${SINK}:test`, '--output-style=static');
    const unit = results('unit');
    expect(unit.numPassedTests).toBeGreaterThanOrEqual(6);
    expect(unit).toMatchObject({ numFailedTests: 0, numPendingTests: 0 });
  }, 300_000);

  it('passes its integration tests on the real stack as generated', async () => {
    await nx('run', `sink-${SINK}:int-test`, '--output-style=static');
    const int = results('int');
    expect(int.numPassedTests).toBeGreaterThanOrEqual(2);
    expect(int).toMatchObject({ numFailedTests: 0, numPendingTests: 0 });
  }, 300_000);
});
