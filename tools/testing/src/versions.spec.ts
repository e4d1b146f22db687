import { describe, expect, it } from 'vitest';
import { parseVersionsEnv, requireVersion, stackVersions } from './versions.js';

describe('parseVersionsEnv', () => {
  it('reads NAME=value lines and skips comments and blanks', () => {
    expect(parseVersionsEnv('# pinned\nKAFKA_VERSION=4.1.1\n\nREDIS_MAJOR=7\n')).toEqual({ KAFKA_VERSION: '4.1.1', REDIS_MAJOR: '7' });
  });
  it('rejects a line it cannot read, quoting it', () => {
    expect(() => parseVersionsEnv('KAFKA VERSION = 4')).toThrow('versions.env: cannot read line "KAFKA VERSION = 4"');
  });
  it('the real file pins every component', () => {
    const v = stackVersions();
    for (const name of ['KAFKA_VERSION', 'APICURIO_VERSION', 'OPENSEARCH_VERSION', 'POSTGRES_MAJOR', 'REDIS_MAJOR']) {
      expect(requireVersion(v, name)).toMatch(/^\d+(\.\d+)*$/);
    }
  });
  it('names the missing variable', () => {
    expect(() => requireVersion({}, 'KAFKA_VERSION')).toThrow('tools/stack/versions.env has no KAFKA_VERSION');
  });
});
