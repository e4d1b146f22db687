import { DEFAULT_SCHEMAS_DIR } from '@ingest-mesh/avro';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRY_URL, formatLine, main, parseArgs } from './cli.js';

describe('parseArgs', () => {
  it('defaults to the repository schemas and SCHEMA_REGISTRY_URL, else the loopback registry', () => {
    expect(parseArgs([], {})).toEqual({ dir: DEFAULT_SCHEMAS_DIR, registryUrl: DEFAULT_REGISTRY_URL });
    expect(parseArgs([], { SCHEMA_REGISTRY_URL: 'http://reg:8081' })).toEqual({ dir: DEFAULT_SCHEMAS_DIR, registryUrl: 'http://reg:8081' });
  });

  it('takes --dir and --registry', () => {
    expect(parseArgs(['--dir', '/s', '--registry', 'http://r'], {})).toEqual({ dir: '/s', registryUrl: 'http://r' });
  });

  it('refuses unknown or incomplete arguments with the usage', () => {
    expect(() => parseArgs(['--nope'], {})).toThrow(/unexpected argument --nope\nusage:/);
    expect(() => parseArgs(['--dir'], {})).toThrow(/unexpected argument --dir/);
    expect(() => parseArgs(['--dir', '--registry', 'x'], {})).toThrow(/unexpected argument --dir/);
  });
});

describe('main', () => {
  it('prints the usage and exits 2 for bad arguments', async () => {
    const errors: string[] = [];
    expect(
      await main(
        ['--bogus'],
        {},
        () => undefined,
        (line) => errors.push(line),
      ),
    ).toBe(2);
    expect(errors.join('\n')).toMatch(/usage: register.ts/);
  });
});

describe('formatLine', () => {
  it('prints subject, id and version', () => {
    expect(formatLine({ subject: 'entity.customer', id: 49, version: 2 })).toBe('entity.customer id=49 version=2');
  });
});
