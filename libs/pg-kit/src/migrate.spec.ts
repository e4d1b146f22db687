import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf, loadMigrations } from './migrate.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadMigrations', () => {
  it('reads NNNN_name.sql files in version order, ignoring other files', async () => {
    await writeFile(path.join(dir, '0010_later.sql'), 'SELECT 10;');
    await writeFile(path.join(dir, '0002_second.sql'), 'SELECT 2;');
    await writeFile(path.join(dir, 'README.md'), 'notes');
    const migrations = await loadMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name, m.file])).toEqual([
      [2, 'second', '0002_second.sql'],
      [10, 'later', '0010_later.sql'],
    ]);
    expect(migrations[0]!.checksum).toBe(checksumOf('SELECT 2;'));
  });

  it('refuses a badly named .sql file and two files of one version, naming them', async () => {
    await writeFile(path.join(dir, 'customers.sql'), '');
    await expect(loadMigrations(dir)).rejects.toThrow('migration file customers.sql is not named NNNN_name.sql');
    await rm(path.join(dir, 'customers.sql'));
    await writeFile(path.join(dir, '0001_a.sql'), '');
    await writeFile(path.join(dir, '001_b.sql'), '');
    await expect(loadMigrations(dir)).rejects.toThrow('migration files 0001_a.sql and 001_b.sql have the same version 1');
  });

  it('names a directory it cannot read', async () => {
    await expect(loadMigrations(path.join(dir, 'missing'))).rejects.toThrow('cannot read the migrations directory');
  });

  it('checksums ignore CRLF line ends, nothing else', () => {
    expect(checksumOf('a;\r\nb;\r\n')).toBe(checksumOf('a;\nb;\n'));
    expect(checksumOf('a;\nb;\n')).not.toBe(checksumOf('a; \nb;\n'));
    expect(checksumOf('')).toMatch(/^[0-9a-f]{64}$/);
  });
});
