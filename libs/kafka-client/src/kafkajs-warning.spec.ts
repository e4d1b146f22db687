import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKafkajsNegativeTimeoutWarning } from './kafkajs-warning.js';

const fromKafkajs = (name: string) =>
  Object.assign(new Error('-1796300544048 is a negative number.'), {
    name,
    stack: `${name}: -1796300544048 is a negative number.\n    at setTimeout (node:timers:120:19)\n    at RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)`,
  });

describe('the kafkajs negative-timeout warning', () => {
  it('is recognised by its name and its origin in kafkajs request queue only', () => {
    expect(isKafkajsNegativeTimeoutWarning(fromKafkajs('TimeoutNegativeWarning'))).toBe(true);
    expect(isKafkajsNegativeTimeoutWarning(fromKafkajs('DeprecationWarning'))).toBe(false);
    expect(isKafkajsNegativeTimeoutWarning(Object.assign(new Error('x'), { name: 'TimeoutNegativeWarning' }))).toBe(false);
  });

  it('is no longer printed once silenced, while every other warning still is', () => {
    const module = path.join(import.meta.dirname, 'kafkajs-warning.ts');
    const script = `
      import { silenceKafkajsNegativeTimeoutWarning } from ${JSON.stringify(module)};
      silenceKafkajsNegativeTimeoutWarning();
      silenceKafkajsNegativeTimeoutWarning();
      const w = new Error('-1 is a negative number.');
      w.name = 'TimeoutNegativeWarning';
      w.stack = 'TimeoutNegativeWarning: -1\\n    at RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)';
      process.emitWarning(w);
      process.emitWarning('a warning of the app itself');
      process.emitWarning(Object.assign(new Error('-2 is a negative number.'), { name: 'TimeoutNegativeWarning' }));
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stderr).toContain('Warning: a warning of the app itself');
    expect(res.stderr).toContain('TimeoutNegativeWarning: -2 is a negative number.');
    expect(res.stderr).not.toContain('-1 is a negative number');
    expect(res.stderr.match(/a warning of the app itself/g)).toHaveLength(1);
  });
});
