// The generator on an in-memory workspace tree (no files written): what it creates, that the
// templates are filled in everywhere, and how it registers the app.
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { sinkGenerator } from './generator';

let tree: Tree;

beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  tree.write('tools/mesh/apps.list', '# apps\ningest-router 8090\nsink-postgres 8091\nsink-search 8092\n');
});

const files = (root: string) => {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const p = `${dir}/${child}`;
      if (tree.isFile(p)) out.push(p.slice(root.length + 1));
      else walk(p);
    }
  };
  walk(root);
  return out.sort();
};

describe('sink generator', () => {
  it('creates apps/sink-<name> with one adapter, its config, tests and a README', async () => {
    await sinkGenerator(tree, { name: 'ledger-archive' });
    expect(files('apps/sink-ledger-archive')).toEqual([
      'README.md',
      'package.json',
      'project.json',
      'src/app-env.spec.ts',
      'src/app-env.ts',
      'src/ledger-archive-sink.int.spec.ts',
      'src/ledger-archive-sink.spec.ts',
      'src/ledger-archive-sink.ts',
      'src/main.ts',
      'tsconfig.app.json',
      'tsconfig.json',
      'vitest.config.ts',
      'vitest.int.config.ts',
    ]);
  });

  it("fills every template: no placeholder is left, names are the sink's", async () => {
    await sinkGenerator(tree, { name: 'ledger-archive' });
    for (const file of files('apps/sink-ledger-archive')) {
      const text = tree.read(`apps/sink-ledger-archive/${file}`, 'utf-8')!;
      expect(text, file).not.toMatch(/<%|%>|__name__|__tmpl__/);
    }
    const adapter = tree.read('apps/sink-ledger-archive/src/ledger-archive-sink.ts', 'utf-8')!;
    expect(adapter).toContain('export class LedgerArchiveSink implements Sink');
    expect(adapter).toContain("readonly name = 'ledger-archive';");
    expect(tree.read('apps/sink-ledger-archive/src/app-env.ts', 'utf-8')).toContain('SINK_LEDGER_ARCHIVE_REDIS_URL');
  });

  it("the adapter follows sink-kit's batch rules: collapseRevisions and chunkBy, no copy of its own", async () => {
    await sinkGenerator(tree, { name: 'ledger' });
    const adapter = tree.read('apps/sink-ledger/src/ledger-sink.ts', 'utf-8')!;
    expect(adapter).toMatch(/import \{[^}]*\bchunkBy\b[^}]*\bcollapseRevisions\b[^}]*\} from '@ingest-mesh\/sink-kit'/);
    expect(adapter).toContain('collapseRevisions(records)');
    expect(adapter).toContain('chunkBy(');
  });

  it('creates the Helm chart k8s/charts/sink-<name> on the mesh library chart, secrets by reference', async () => {
    await sinkGenerator(tree, { name: 'ledger-archive' });
    expect(files('k8s/charts/sink-ledger-archive')).toEqual(['Chart.yaml', 'templates/app.yaml', 'values.yaml']);
    for (const file of files('k8s/charts/sink-ledger-archive')) {
      expect(tree.read(`k8s/charts/sink-ledger-archive/${file}`, 'utf-8'), file).not.toMatch(/<%|%>|__tmpl__/);
    }
    const chart = tree.read('k8s/charts/sink-ledger-archive/Chart.yaml', 'utf-8')!;
    expect(chart).toContain('name: sink-ledger-archive');
    expect(chart).toContain('repository: file://../mesh-app-lib');
    expect(tree.read('k8s/charts/sink-ledger-archive/templates/app.yaml', 'utf-8')).toBe('{{- include "mesh-app-lib.all" . }}\n');
    const values = tree.read('k8s/charts/sink-ledger-archive/values.yaml', 'utf-8')!;
    expect(values).toContain('app: sink-ledger-archive');
    expect(values).toContain('topic: sink.ledger-archive');
    expect(values).toContain('SINK_TOPIC: sink.ledger-archive');
    expect(values).toContain('SINK_OLDER_REVISION: dlq');
    expect(values).toContain('SINK_LEDGER_ARCHIVE_REDIS_URL: { secret: sink-ledger-archive, key: redis-url }');
    expect(values).not.toMatch(/MESH_ADMIN_TOKEN: ["']?\w/);
  });

  it('refuses when the chart directory exists already', async () => {
    tree.write('k8s/charts/sink-ledger/Chart.yaml', 'name: sink-ledger\n');
    await expect(sinkGenerator(tree, { name: 'ledger' })).rejects.toThrow('k8s/charts/sink-ledger exists already');
  });

  it('tags the project as an app, so module boundaries apply, with the targets every project has', async () => {
    await sinkGenerator(tree, { name: 'ledger' });
    const project = readJson(tree, 'apps/sink-ledger/project.json');
    expect(project.name).toBe('sink-ledger');
    expect(project.tags).toContain('type:app');
    expect(Object.keys(project.targets).sort()).toEqual(['build', 'int-test', 'lint', 'serve', 'test']);
    expect(readJson(tree, 'apps/sink-ledger/package.json')).toMatchObject({
      name: '@ingest-mesh/sink-ledger',
      type: 'module',
      dependencies: { '@ingest-mesh/sink-kit': '*' },
    });
  });

  it('registers the app in tools/mesh/apps.list on the next free port, or on the one given', async () => {
    await sinkGenerator(tree, { name: 'ledger' });
    expect(tree.read('tools/mesh/apps.list', 'utf-8')).toMatch(/sink-search 8092\nsink-ledger 8093\n$/);
    await sinkGenerator(tree, { name: 'archive', port: 9300 });
    expect(tree.read('tools/mesh/apps.list', 'utf-8')).toMatch(/sink-ledger 8093\nsink-archive 9300\n$/);
    expect(tree.read('apps/sink-archive/README.md', 'utf-8')).toContain('port 9300');
  });

  it('leaves the list alone with skipRegister', async () => {
    const before = tree.read('tools/mesh/apps.list', 'utf-8');
    await sinkGenerator(tree, { name: 'ledger', skipRegister: true });
    expect(tree.read('tools/mesh/apps.list', 'utf-8')).toBe(before);
  });

  it('refuses an existing app and a bad name, and then writes nothing', async () => {
    await sinkGenerator(tree, { name: 'ledger' });
    await expect(sinkGenerator(tree, { name: 'ledger' })).rejects.toThrow('apps/sink-ledger exists already');
    await expect(sinkGenerator(tree, { name: 'Bad Name' })).rejects.toThrow('is not valid');
    expect(tree.exists('apps/sink-Bad Name')).toBe(false);
  });
});
