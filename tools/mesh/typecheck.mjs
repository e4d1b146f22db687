// `npm run typecheck`: type-checks every project of the workspace — each directory of apps/*,
// libs/* and tools/* with a project.json — through its own tsconfig.json: sources, specs, test
// support and vitest configs, other projects resolved to their sources (the @ingest-mesh/source
// condition). It is `tsc -b` over all those tsconfig.json files (as if a root tsconfig.json
// referenced them), with two differences:
// - nothing is written: not into the source tree (no .tsbuildinfo beside the tsconfig), not
//   into the projects' dist/ (their builds use tsconfig.{lib,app}.json); every run checks all;
// - projects are discovered, never listed, so a new project is checked from its first commit,
//   and a project file that its tsconfig.json does not include fails the check (nothing else
//   would type-check it).
// Projects are shared out between one worker per core; within a worker, files that several
// projects use are parsed once (as in tsc -b).
//
//   npm run typecheck                          every project
//   npm run typecheck -- sink-postgres avro    only these (project directory names)
//   TYPECHECK_JOBS=1 npm run typecheck         fewer or more workers
import { fork } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '../..');

if (process.argv[2] === '--worker') worker(process.argv.slice(3));
else await main(process.argv.slice(2));

async function main(wanted) {
  const projects = [];
  const untyped = [];
  for (const group of ['apps', 'libs', 'tools']) {
    for (const entry of readdirSync(path.join(root, group), { withFileTypes: true })) {
      const dir = `${group}/${entry.name}`;
      if (!entry.isDirectory() || !existsSync(path.join(root, dir, 'project.json'))) continue;
      (existsSync(path.join(root, dir, 'tsconfig.json')) ? projects : untyped).push(dir);
    }
  }
  const named = (dir) => wanted.includes(dir) || wanted.includes(path.basename(dir));
  const unknown = wanted.filter((w) => ![...projects, ...untyped].some((p) => p === w || path.basename(p) === w));
  if (unknown.length > 0) {
    console.error(`typecheck: no such project: ${unknown.join(', ')}`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? projects.filter(named) : projects;
  const missing = wanted.length > 0 ? untyped.filter(named) : untyped;

  const started = Date.now();
  const jobs = Math.min(selected.length, Math.max(1, Number(process.env.TYPECHECK_JOBS) || os.availableParallelism()));
  const shares = Array.from({ length: jobs }, (_, i) => selected.filter((_, j) => j % jobs === i));
  const failed = [...missing];
  const printed = new Set();
  for (const dir of missing) console.log(`FAIL ${dir}: a project.json but no tsconfig.json — nothing type-checks it`);
  await Promise.all(
    shares.map(
      (share) =>
        new Promise((resolve) => {
          const child = fork(import.meta.filename, ['--worker', ...share], { cwd: root });
          const done = new Set();
          child.on('message', (r) => {
            done.add(r.dir);
            const fresh = r.errors.filter((e) => !printed.has(e.key));
            const repeated = r.errors.length - fresh.length;
            console.log(
              `${r.errors.length === 0 ? 'ok  ' : 'FAIL'} ${r.dir} (${(r.ms / 1000).toFixed(1)} s)${repeated > 0 ? ` — ${repeated} error(s) shown above` : ''}`,
            );
            for (const e of fresh) {
              printed.add(e.key);
              process.stdout.write(e.text);
            }
            if (r.errors.length > 0) failed.push(r.dir);
          });
          child.on('exit', (code, signal) => {
            for (const dir of share.filter((d) => !done.has(d))) {
              console.log(`FAIL ${dir}: the worker ended (${signal ?? `exit ${code}`}) before checking it`);
              failed.push(dir);
            }
            resolve();
          });
        }),
    ),
  );

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const total = selected.length + missing.length;
  if (failed.length > 0) {
    console.error(`typecheck: ${failed.length} of ${total} projects failed (${failed.join(', ')}) in ${seconds} s`);
    process.exit(1);
  }
  console.log(`typecheck: ${total} projects type-checked in ${seconds} s (${jobs} worker${jobs > 1 ? 's' : ''})`);
}

function worker(dirs) {
  const pretty = process.stdout.isTTY || Boolean(process.env.FORCE_COLOR);
  const formatHost = { getCurrentDirectory: () => root, getCanonicalFileName: (f) => f, getNewLine: () => '\n' };
  let errors = [];
  const report = (d) => {
    if (d.category !== ts.DiagnosticCategory.Error) return;
    const key = ts.formatDiagnostic(d, formatHost);
    errors.push({ key, text: pretty ? ts.formatDiagnosticsWithColorAndContext([d], formatHost) : key });
  };
  const host = ts.createSolutionBuilderHost(ts.sys, ts.createSemanticDiagnosticsBuilderProgram, report, () => undefined);
  // The projects' tsconfig.json say noEmit; a .tsbuildinfo is all tsc -b would write: nothing is.
  host.writeFile = () => undefined;
  host.setModifiedTime = () => undefined;
  host.deleteFile = () => undefined;
  const configs = dirs.map((dir) => path.join(root, dir, 'tsconfig.json'));
  const builder = ts.createSolutionBuilder(host, configs, { force: true });
  const sent = new Set();
  for (let p = builder.getNextInvalidatedProject(); p; p = builder.getNextInvalidatedProject()) {
    const started = Date.now();
    const dir = path.relative(root, path.dirname(p.project));
    const program = p.kind === ts.InvalidatedProjectKind.Build ? p.getProgram() : undefined;
    p.done(undefined, () => undefined);
    if (program) {
      const roots = new Set(program.getRootFileNames().map((f) => path.resolve(f)));
      for (const file of projectSources(dir)) {
        if (roots.has(path.join(root, file))) continue;
        const text = `${file}: not included by ${dir}/tsconfig.json, so nothing type-checks it\n`;
        errors.push({ key: text, text });
      }
    }
    process.send({ dir, ms: Date.now() - started, errors });
    sent.add(dir);
    errors = [];
  }
  // A tsconfig.json that cannot be read is never built: its errors are what is left.
  for (const dir of dirs.filter((d) => !sent.has(d))) {
    const text = `${dir}/tsconfig.json: not checked\n`;
    process.send({ dir, ms: 0, errors: [...errors, { key: text, text }] });
    errors = [];
  }
}

/** The TypeScript files of a project (outside node_modules/ and dist/), relative to the root. */
function projectSources(dir) {
  return readdirSync(path.join(root, dir), { recursive: true })
    .map((f) => `${dir}/${String(f).split(path.sep).join('/')}`)
    .filter((f) => /\.[mc]?ts$/.test(f) && !/\.d\.[mc]?ts$/.test(f) && !/\/(node_modules|dist)\//.test(f));
}
