// One place for how every project runs vitest, so `npm test` can add up the results.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

const workspaceRoot = path.resolve(import.meta.dirname, '../../..');
const resultsDir = path.join(workspaceRoot, 'dist', 'test-results');
// Workspace packages resolve to their TypeScript sources in tests (see each package.json).
const resolve = { conditions: ['@ingest-mesh/source', 'module', 'node', 'development|production'] };
const ssr = { resolve: { conditions: ['@ingest-mesh/source', 'node'], externalConditions: ['@ingest-mesh/source'] } };
// globalSetup files (global-setup.ts) run in vitest's own environment, which takes neither of
// the above: without this, their workspace imports (stack-env.ts → @ingest-mesh/env-config)
// would resolve to dist/, unbuilt or stale.
const environments = { __vitest__: { resolve: { conditions: ssr.resolve.conditions } } };

/** Unit tests: pure logic, no services, `*.spec.ts` beside the code. */
export function unitConfig(projectDir: string, name: string) {
  return defineConfig({
    resolve,
    ssr,
    environments,
    test: {
      name,
      root: projectDir,
      include: ['src/**/*.spec.ts'],
      exclude: ['**/*.int.spec.ts', '**/node_modules/**', '**/dist/**'],
      reporters: ['default', 'json'],
      outputFile: { json: path.join(resultsDir, `${name}.unit.json`) },
    },
  });
}

/** Integration tests: `*.int.spec.ts` against the real stack chosen by MESH_STACK. */
export function intConfig(projectDir: string, name: string) {
  return defineConfig({
    resolve,
    ssr,
    environments,
    test: {
      name: `${name}:int`,
      root: projectDir,
      include: ['src/**/*.int.spec.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      globalSetup: [path.join(workspaceRoot, 'tools/testing/src/global-setup.ts')],
      // Files share one broker and one database: run them one after another.
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 180_000,
      reporters: ['default', 'json'],
      outputFile: { json: path.join(resultsDir, `${name}.int.json`) },
    },
  });
}
