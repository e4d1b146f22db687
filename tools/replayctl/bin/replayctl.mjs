#!/usr/bin/env node
// Runs the TypeScript sources with tsx (the workspace's dev dependency), resolving workspace
// libraries to their sources, so the CLI works from a checkout without a build step.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/main.ts');
// Resolved from here, not from the caller's directory: replayctl works from anywhere.
const tsx = import.meta.resolve('tsx');
const r = spawnSync(process.execPath, ['--conditions=@ingest-mesh/source', '--import', tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 3);
