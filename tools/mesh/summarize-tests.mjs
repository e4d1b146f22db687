// Adds up vitest's JSON reports (one per project and kind) into one closing line, then names
// every failed test (or file whose hooks failed) with the start of its error: CI keeps only the
// end of the output, so the end must say what failed and why.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'dist/test-results';
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  // no directory: no test ran, reported below
}
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
// Colours, blank lines and stack frames out; the first lines of an error say what it is.
const firstLines = (text, n = 6) =>
  String(text ?? '')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^\s*at /.test(l))
    .slice(0, n);
for (const file of files.sort()) {
  const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  const project = file.replace(/\.json$/, '');
  for (const result of report.testResults) {
    const where = `${project} ${path.relative(process.cwd(), result.name)}`;
    for (const a of result.assertionResults.filter((x) => x.status === 'failed'))
      failures.push({ what: `${where} > ${a.fullName}`, lines: firstLines(a.failureMessages?.join('\n')) });
    // A failed hook (beforeAll, afterAll) fails the file with its message and no failed test.
    if (result.status === 'failed' && result.message) failures.push({ what: `${where} (the file)`, lines: firstLines(result.message) });
  }
  // Wall time from the first file's start to the last one's end: where CI's minutes go.
  const starts = report.testResults.map((t) => t.startTime);
  const ends = report.testResults.map((t) => t.endTime);
  const seconds = starts.length > 0 ? (Math.max(...ends) - Math.min(...starts)) / 1000 : 0;
  console.log(`  ${file.replace(/\.json$/, '').padEnd(32)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${seconds.toFixed(1)} s`);
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
const SHOWN = 10;
for (const f of failures.slice(0, SHOWN)) {
  console.log(`FAILED ${f.what}`);
  for (const line of f.lines) console.log(`    ${line}`);
}
if (failures.length > SHOWN) console.log(`... and ${failures.length - SHOWN} more failures: see the output above`);
if (passed + failed === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(failed > 0 || skipped > 0 ? 1 : 0);
