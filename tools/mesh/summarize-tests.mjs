// Adds up vitest's JSON reports (one per project and kind) into one closing line.
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
for (const file of files.sort()) {
  const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  // Wall time from the first file's start to the last one's end: where CI's minutes go.
  const starts = report.testResults.map((t) => t.startTime);
  const ends = report.testResults.map((t) => t.endTime);
  const seconds = starts.length > 0 ? (Math.max(...ends) - Math.min(...starts)) / 1000 : 0;
  console.log(`  ${file.replace(/\.json$/, '').padEnd(32)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${seconds.toFixed(1)} s`);
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed + failed === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(failed > 0 || skipped > 0 ? 1 : 0);
