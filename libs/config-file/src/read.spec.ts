import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigFileError, configFileFormat, readConfigFile } from './read.js';

describe('readConfigFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'config-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('expected a ConfigFileError'),
      (err: unknown) => err as ConfigFileError,
    );

  it('reads .json as JSON, whatever the case of the extension', async () => {
    expect(await readConfigFile(await write('a.json', '{"a": [1, 2], "b": null}'))).toEqual({ a: [1, 2], b: null });
    expect(await readConfigFile(await write('b.JSON', '{"a": 1}'))).toEqual({ a: 1 });
  });

  it('reads everything else as YAML', async () => {
    expect(await readConfigFile(await write('a.yaml', 'a:\n  - 1\n  - two\nb: { c: true }\n'))).toEqual({ a: [1, 'two'], b: { c: true } });
    expect(await readConfigFile(await write('a.yml', 'x: 1\n'))).toEqual({ x: 1 });
    expect(await readConfigFile(await write('noext', 'x: 1\n'))).toEqual({ x: 1 });
    expect(await readConfigFile(await write('empty.yaml', ''))).toBeNull();
  });

  it('names the file it cannot read', async () => {
    const file = path.join(dir, 'missing.yaml');
    const err = await failure(readConfigFile(file));
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err.file).toBe(file);
    expect(err.problem).toMatch(/^cannot read the file: ENOENT/);
    expect(err.message).toBe(`${file}: ${err.problem}`);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('reports YAML syntax errors and duplicate keys on one line', async () => {
    const file = await write('broken.yaml', 'a: {\nb: [');
    const err = await failure(readConfigFile(file));
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err.file).toBe(file);
    expect(err.problem).toMatch(/^not valid YAML: /);
    expect(err.problem).not.toContain('\n');
    expect(err.message).toContain(file);
    const dup = await failure(readConfigFile(await write('dup.yaml', 'a: 1\na: 2\n')));
    expect(dup.problem).toMatch(/^not valid YAML: .*[Mm]ap keys must be unique/);
  });

  it('reports JSON syntax errors', async () => {
    const file = await write('broken.json', '{"a": ');
    const err = await failure(readConfigFile(file));
    expect(err.problem).toMatch(/^not valid JSON: /);
    expect(err.message).toContain(file);
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('configFileFormat', () => {
  it('is JSON for .json only', () => {
    expect(configFileFormat('x/tables.json')).toBe('JSON');
    expect(configFileFormat('x/tables.Json')).toBe('JSON');
    expect(configFileFormat('x/tables.yaml')).toBe('YAML');
    expect(configFileFormat('x/json')).toBe('YAML');
  });
});
