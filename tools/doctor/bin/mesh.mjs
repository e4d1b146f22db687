#!/usr/bin/env node
// In the workspace (src/ present), runs the TypeScript sources through tsx, so a stale build is
// never what answers; a packaged copy without src/ runs the build (dist/main.js).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src/main.ts');
if (existsSync(source)) {
  const args = ['--conditions=@ingest-mesh/source', '--import', 'tsx', source, ...process.argv.slice(2)];
  const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
  process.exit(child.status ?? 1);
} else {
  await import(path.join(root, 'dist/main.js'));
}
