// `nx g @ingest-mesh/nx-plugin:sink <name>`: apps/sink-<name> from ./files (one adapter on
// libs/sink-kit, its config schema, unit and integration tests, README), its Helm chart
// k8s/charts/sink-<name> from ./chart-files (on the mesh's library chart, rendered, linted and
// schema-checked by tools/ops' chart test with every other chart), registered in
// tools/mesh/apps.list so `npm start` and apps.sh run it.
import path from 'node:path';
import { formatFiles, generateFiles, type Tree } from '@nx/devkit';
import { APPS_LIST, registerApp } from './apps-list';
import { sinkNames } from './names';

export interface SinkGeneratorSchema {
  name: string;
  port?: number;
  skipRegister?: boolean;
}

// async: the signature Nx expects of a generator (it may await formatting in other generators).
export async function sinkGenerator(tree: Tree, options: SinkGeneratorSchema): Promise<() => void> {
  const names = sinkNames(options.name);
  const root = `apps/${names.app}`;
  const chart = `k8s/charts/${names.app}`;
  for (const dir of [root, chart]) {
    if (tree.exists(dir)) throw new Error(`${dir} exists already; choose another name or remove it first`);
  }

  let port = options.port;
  if (!options.skipRegister) {
    const list = tree.exists(APPS_LIST) ? tree.read(APPS_LIST, 'utf-8')! : '';
    const registered = registerApp(list, names.app, options.port);
    tree.write(APPS_LIST, registered.text);
    port = registered.port;
  }

  // `__tmpl__` keeps the templates out of the plugin's own compilation and linting.
  const substitutions = { ...names, port: port ?? 8080, tmpl: '' };
  generateFiles(tree, path.join(__dirname, 'files'), root, substitutions);
  generateFiles(tree, path.join(__dirname, 'chart-files'), chart, substitutions);
  await formatFiles(tree); // as Prettier writes it (npm run format:check is part of npm test)
  return () => {
    console.log(`\n${names.app} created in ${root}. Next:`);
    console.log('  npm install                              link the new workspace package');
    console.log(`  npx nx run ${names.app}:test             unit tests`);
    console.log(`  npx nx run ${names.app}:int-test         integration tests on the local stack`);
    console.log(`  ${chart}/values.yaml   its Helm values (npx nx run ops:test renders and validates the chart)`);
    console.log(`  route entity types to sink "${names.name}" in apps/ingest-router/config/router.yaml`);
    console.log('  docs/adding-a-sink.md                    the contract and what to change');
  };
}

export default sinkGenerator;
