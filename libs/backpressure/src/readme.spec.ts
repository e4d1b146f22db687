import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import { BACKPRESSURE_STATES, TRANSITION_CAUSES } from './types.js';

const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it('documents every state, every transition cause and every threshold', () => {
    const missing = [...BACKPRESSURE_STATES, ...TRANSITION_CAUSES, ...Object.keys(DEFAULT_THRESHOLDS)].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('states the default thresholds as the code has them', () => {
    for (const [name, value] of Object.entries(DEFAULT_THRESHOLDS)) {
      expect(readme).toMatch(new RegExp(`\\| \`${name}\` \\| ${String(value).replace('.', '\\.')} \\|`));
    }
  });
});
