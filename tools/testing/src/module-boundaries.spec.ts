// The workspace's module-boundary rules, proven on a scratch Nx workspace that uses this
// repository's eslint.config.mjs and nx.json: an app importing an app and a lib importing an
// app are lint errors; an app importing a lib is fine.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-boundaries-'));

interface Project {
  dir: string;
  name: string;
  type: 'application' | 'library';
  tags: string[];
  source: string;
  spec?: string;
}

const projects: Project[] = [
  {
    dir: 'apps/alpha',
    name: 'alpha',
    type: 'application',
    tags: ['type:app', 'scope:alpha'],
    source: "import { beta } from '@scratch/beta';\nimport { delta } from '@scratch/delta';\nexport const alpha = beta + delta;\n",
  },
  { dir: 'apps/beta', name: 'beta', type: 'application', tags: ['type:app', 'scope:beta'], source: 'export const beta = 1;\n' },
  {
    dir: 'apps/omega',
    name: 'omega',
    type: 'application',
    tags: ['type:app', 'scope:omega'],
    source: "import { delta } from '@scratch/delta';\nexport const omega = delta;\n",
  },
  {
    dir: 'libs/gamma',
    name: 'gamma',
    type: 'library',
    tags: ['type:lib', 'scope:shared'],
    source: "import { beta } from '@scratch/beta';\nexport const gamma = beta;\n",
  },
  { dir: 'libs/delta', name: 'delta', type: 'library', tags: ['type:lib', 'scope:shared'], source: 'export const delta = 2;\n' },
  { dir: 'tools/testkit', name: 'testkit', type: 'library', tags: ['type:test', 'scope:shared'], source: 'export const testkit = 3;\n' },
  {
    dir: 'libs/epsilon',
    name: 'epsilon',
    type: 'library',
    tags: ['type:lib', 'scope:shared'],
    source: "import { testkit } from '@scratch/testkit';\nexport const epsilon = testkit;\n",
    spec: "import { testkit } from '@scratch/testkit';\nexport const used = testkit;\n",
  },
];

let lint: Map<string, string[]>;

beforeAll(() => {
  for (const f of ['package.json', 'nx.json', 'eslint.config.mjs']) copyFileSync(path.join(root, f), path.join(scratch, f));
  symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));
  const paths = Object.fromEntries(projects.map((p) => [`@scratch/${p.name}`, [`${p.dir}/src/index.ts`]]));
  writeFileSync(
    path.join(scratch, 'tsconfig.base.json'),
    JSON.stringify({
      extends: path.join(root, 'tsconfig.base.json'),
      compilerOptions: { baseUrl: '.', paths },
    }),
  );
  for (const p of projects) {
    mkdirSync(path.join(scratch, p.dir, 'src'), { recursive: true });
    writeFileSync(path.join(scratch, p.dir, 'project.json'), JSON.stringify({ name: p.name, projectType: p.type, tags: p.tags, sourceRoot: `${p.dir}/src` }));
    writeFileSync(path.join(scratch, p.dir, 'src/index.ts'), p.source);
    if (p.spec) writeFileSync(path.join(scratch, p.dir, `src/${p.name}.spec.ts`), p.spec);
  }
  execFileSync('git', ['init', '-q'], { cwd: scratch });
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  // The rule reads Nx's cached project graph: compute it first.
  execFileSync(path.join(root, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: scratch, env, stdio: 'pipe' });
  const res = spawnSync(path.join(root, 'node_modules/.bin/eslint'), ['apps', 'libs', 'tools', '--format', 'json'], { cwd: scratch, env, encoding: 'utf8' });
  const report = JSON.parse(res.stdout) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
  lint = new Map(
    report.map((r) => [path.relative(scratch, r.filePath), r.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message)]),
  );
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('@nx/enforce-module-boundaries', () => {
  it('forbids an app importing another app', () => {
    expect(lint.get('apps/alpha/src/index.ts')).toEqual(['Imports of apps are forbidden']);
  });
  it('forbids a lib importing an app', () => {
    expect(lint.get('libs/gamma/src/index.ts')).toEqual(['Imports of apps are forbidden']);
  });
  it('allows an app importing a lib', () => {
    expect(lint.get('apps/omega/src/index.ts')).toEqual([]);
  });
  it("keeps the test harness out of lib code but lets the lib's tests use it", () => {
    expect(lint.get('libs/epsilon/src/index.ts')).toEqual(['A project tagged with "type:lib" can only depend on libs tagged with "type:lib"']);
    expect(lint.get('libs/epsilon/src/epsilon.spec.ts')).toEqual([]);
  });
});
