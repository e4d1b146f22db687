import { describe, expect, it } from 'vitest';
import { recordFormat } from './content-type.js';

describe('recordFormat', () => {
  it('maps JSON and NDJSON media types, with or without a UTF-8 charset', () => {
    expect(recordFormat('application/json')).toBe('json');
    expect(recordFormat('Application/JSON; charset=UTF-8')).toBe('json');
    expect(recordFormat('application/x-ndjson')).toBe('ndjson');
    expect(recordFormat('application/x-ndjson; charset="utf-8"')).toBe('ndjson');
    expect(recordFormat('application/ndjson')).toBe('ndjson');
  });

  it('refuses other media types, other charsets and a missing header', () => {
    expect(recordFormat('text/plain')).toBeUndefined();
    expect(recordFormat('application/xml')).toBeUndefined();
    expect(recordFormat('application/json; charset=latin1')).toBeUndefined();
    expect(recordFormat(undefined)).toBeUndefined();
  });
});
