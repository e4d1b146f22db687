// Unit tests of the pure helpers in lib.sh, run through bash exactly as stack.sh uses them.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = path.resolve(import.meta.dirname, '../lib.sh');

function bash(script: string): string {
  return execFileSync('bash', ['-c', `set -euo pipefail; . "${lib}"; ${script}`], { encoding: 'utf8' });
}

describe('url_host / url_port', () => {
  it.each([
    ['postgres://mesh@127.0.0.1:5432/mesh', '127.0.0.1', '5432'],
    ['postgres://mesh:secret@db.internal:6543/mesh?sslmode=require', 'db.internal', '6543'],
    ['http://127.0.0.1:8081/apis/ccompat/v7', '127.0.0.1', '8081'],
    ['127.0.0.1:9092,127.0.0.1:9093', '127.0.0.1', '9092'],
    ['redis://cache', 'cache', 'DEFAULT'],
  ])('%s -> %s %s', (url, host, port) => {
    expect(bash(`url_host '${url}'`)).toBe(host);
    expect(bash(`url_port '${url}' DEFAULT`)).toBe(port);
  });
});

describe('fail', () => {
  it('prints one line naming the component and exits 1', () => {
    let stderr = '';
    let status = 0;
    try {
      execFileSync('bash', ['-c', `. "${lib}"; fail kafka "port 9092 is taken"; echo unreachable`], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number; stderr: string; stdout: string };
      status = e.status;
      stderr = e.stderr;
      expect(e.stdout).toBe('');
    }
    expect(status).toBe(1);
    expect(stderr).toBe('stack: kafka: port 9092 is taken\n');
  });
});

describe('find_java', () => {
  it('finds a JDK at least as new as asked, or nothing for an impossible version', () => {
    const java = bash('find_java 11');
    expect(java).toMatch(/\/java$/);
    expect(() => bash('find_java 999')).toThrow();
  });
});
