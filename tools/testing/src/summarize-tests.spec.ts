// npm test's closing lines (tools/mesh/summarize-tests.mjs) over vitest JSON reports: the totals,
// then every failed test and every file whose hooks failed, with the start of its error. CI
// keeps only the end of the output, so the end must say what failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(root, 'tools/mesh/summarize-tests.mjs');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-summary-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Assertion {
  fullName: string;
  status: 'passed' | 'failed' | 'skipped';
  failureMessages?: string[];
}

function report(files: { name: string; status: 'passed' | 'failed'; message?: string; tests: Assertion[] }[]) {
  const all = files.flatMap((f) => f.tests);
  return {
    numPassedTests: all.filter((t) => t.status === 'passed').length,
    numFailedTests: all.filter((t) => t.status === 'failed').length,
    numPendingTests: all.filter((t) => t.status === 'skipped').length,
    numTodoTests: 0,
    testResults: files.map((f, i) => ({
      name: path.join(root, f.name),
      status: f.status,
      message: f.message ?? '',
      startTime: 1_000 + i * 1_000,
      endTime: 2_000 + i * 1_000,
      assertionResults: f.tests,
    })),
  };
}

function summarize(reports: Record<string, unknown>) {
  const dir = mkdtempSync(path.join(scratch, 'run-'));
  for (const [name, r] of Object.entries(reports)) writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(r));
  const res = spawnSync(process.execPath, [script, dir], { cwd: root, encoding: 'utf8' });
  return { code: res.status, lines: res.stdout.trimEnd().split('\n') };
}

describe('summarize-tests', () => {
  it('adds up the reports and exits 0 when every test passed', () => {
    const { code, lines } = summarize({
      'a.unit': report([{ name: 'libs/a/src/a.spec.ts', status: 'passed', tests: [{ fullName: 'a works', status: 'passed' }] }]),
      'b.int': report([{ name: 'libs/b/src/b.int.spec.ts', status: 'passed', tests: [{ fullName: 'b works', status: 'passed' }] }]),
    });
    expect(code).toBe(0);
    expect(lines).toEqual([
      `  ${'a.unit'.padEnd(32)} 1 passed, 0 failed, 1.0 s`,
      `  ${'b.int'.padEnd(32)} 1 passed, 0 failed, 1.0 s`,
      'Tests: 2 passed, 0 failed',
    ]);
  });

  it('ends with each failed test and the first lines of its error, colours and stack frames removed', () => {
    const error = [
      '\x1b[31mAssertionError: expected 279 to be 280\x1b[39m',
      '    at Proxy.<anonymous> (file:///repo/node_modules/@vitest/expect/dist/index.js:1283:10)',
      '',
      '- Expected',
      '+ Received',
      'line 5',
      'line 6',
      'line 7 (cut)',
    ].join('\n');
    const { code, lines } = summarize({
      'replay.int': report([
        {
          name: 'apps/replay/src/replay.int.spec.ts',
          status: 'failed',
          tests: [
            { fullName: 'replay counts what it read', status: 'failed', failureMessages: [error] },
            { fullName: 'replay passes', status: 'passed' },
          ],
        },
      ]),
    });
    expect(code).toBe(1);
    expect(lines.slice(-8)).toEqual([
      'Tests: 1 passed, 1 failed',
      'FAILED replay.int apps/replay/src/replay.int.spec.ts > replay counts what it read',
      '    AssertionError: expected 279 to be 280',
      '    - Expected',
      '    + Received',
      '    line 5',
      '    line 6',
      '    line 7 (cut)',
    ]);
  });

  it('names a file whose beforeAll failed (its tests skipped) and fails the run', () => {
    const { code, lines } = summarize({
      'search.int': report([
        {
          name: 'apps/search/src/search.int.spec.ts',
          status: 'failed',
          message: 'Error: Hook timed out in 300000ms.\nIf this is a long-running hook, pass a timeout value',
          tests: [{ fullName: 'leaves every document as it was', status: 'skipped' }],
        },
      ]),
    });
    expect(code).toBe(1);
    expect(lines.slice(-4)).toEqual([
      'Tests: 0 passed, 0 failed, 1 skipped',
      'FAILED search.int apps/search/src/search.int.spec.ts (the file)',
      '    Error: Hook timed out in 300000ms.',
      '    If this is a long-running hook, pass a timeout value',
    ]);
  });

  it('shows ten failures and says how many more there are', () => {
    const tests: Assertion[] = Array.from({ length: 12 }, (_, i) => ({ fullName: `case ${i}`, status: 'failed', failureMessages: [`Error: ${i}`] }));
    const { lines } = summarize({ 'many.unit': report([{ name: 'libs/many/src/many.spec.ts', status: 'failed', tests }]) });
    expect(lines.filter((l) => l.startsWith('FAILED '))).toHaveLength(10);
    expect(lines.at(-1)).toBe('... and 2 more failures: see the output above');
  });
});
