// Workspace lint rules. The module-boundary rule is the architecture made executable:
// apps import libs, never another app; libs import only libs; tools may use libs.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const KAFKA_PORT_MESSAGE = 'Use @ingest-mesh/kafka-client (the Kafka port); only libs/kafka-client imports a Kafka client.';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.stack/**', '.nx/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'type:test'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The Kafka port: everything talks to Kafka through @ingest-mesh/kafka-client, whose adapters
    // are the only code that imports a Kafka client. Exceptions: reason-codes' specs build the
    // clients' own errors to test how classify() maps them; the stack's own check of its broker
    // uses kafkajs directly (tools/stack cannot depend on kafka-client, whose tests need the stack).
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    ignores: ['libs/kafka-client/**', 'libs/reason-codes/src/**/*.spec.ts', 'tools/stack/src/kafka.int.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['kafkajs', '@platformatic/kafka'].map((name) => ({ name, message: KAFKA_PORT_MESSAGE })),
          patterns: [{ group: ['kafkajs/*', '@platformatic/kafka/*'], message: KAFKA_PORT_MESSAGE }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Tests (and only tests: specs and the test-support they share, excluded from builds) may
    // also use the test harness (tools/testing, type:test).
    files: ['**/*.spec.ts', '**/test-support/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'type:test'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // Test-runner configs share the workspace's vitest presets by relative path on purpose.
    files: ['**/vitest*.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
