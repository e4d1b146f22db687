// `npm run bench -- [options]`: --client picks the Kafka adapter of the run (MESH_KAFKA_CLIENT for
// the apps and the bench's own clients); --client both runs the whole bench once per adapter, one
// after the other (each process has the machine to itself), and writes their reports side by side.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@ingest-mesh/testing';
import { parseBenchOptions, USAGE } from './options.js';
import type { Row } from './report.js';
import { sideBySide, type AdapterReport } from './side-by-side.js';

const argv = process.argv.slice(2);
let client: ReturnType<typeof parseBenchOptions>['client'];
try {
  client = parseBenchOptions(argv).client;
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

if (client === 'both') {
  const out = path.join(REPO_ROOT, 'dist/bench');
  mkdirSync(out, { recursive: true });
  const rest = withoutClient(argv);
  const reports: AdapterReport[] = [];
  for (const kind of ['platformatic', 'kafkajs'] as const) {
    const before = new Set(readdirSync(out));
    const run = spawnSync(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'main.ts'), ...rest], {
      stdio: 'inherit',
      env: { ...process.env, MESH_KAFKA_CLIENT: kind },
    });
    const file = readdirSync(out).find((f) => f.endsWith('.json') && !before.has(f));
    if (run.status !== 0 || !file) {
      console.error(`bench with MESH_KAFKA_CLIENT=${kind} failed (exit ${run.status})`);
      process.exit(1);
    }
    reports.push({ client: kind, file, rows: (JSON.parse(readFileSync(path.join(out, file), 'utf8')) as { rows: Row[] }).rows });
  }
  const md = `# Bench, both Kafka adapters (${new Date().toISOString()})\n\nThe whole bench once per adapter, one after the other, with the same options (${rest.join(' ') || 'defaults'}).\n\n${sideBySide(reports[0]!, reports[1]!)}\n`;
  const stamp = new Date().toISOString().replaceAll(':', '-').slice(0, 19);
  writeFileSync(path.join(out, `${stamp}-both.md`), md);
  console.log(`\n${md}\nWritten to dist/bench/${stamp}-both.md`);
} else {
  if (client) process.env.MESH_KAFKA_CLIENT = client;
  await import('./main.js');
}

function withoutClient(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--client') i++;
    else if (!args[i]!.startsWith('--client=')) out.push(args[i]!);
  }
  return out;
}
