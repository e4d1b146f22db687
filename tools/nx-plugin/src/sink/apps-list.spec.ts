import { describe, expect, it } from 'vitest';
import { parseAppsList, registerApp } from './apps-list';

const LIST = '# comment\ningest-router 8090\nsink-postgres 8091\n\nsink-search 8092\n';

describe('tools/mesh/apps.list', () => {
  it('parses apps and ports, skipping comments and blank lines', () => {
    expect(parseAppsList(LIST)).toEqual([
      { app: 'ingest-router', port: 8090 },
      { app: 'sink-postgres', port: 8091 },
      { app: 'sink-search', port: 8092 },
    ]);
  });

  it('appends a new app on the next free port', () => {
    expect(registerApp(LIST, 'sink-ledger')).toEqual({ text: `${LIST}sink-ledger 8093\n`, port: 8093, added: true });
  });

  it('keeps the list as it is for an app listed already', () => {
    expect(registerApp(LIST, 'sink-search')).toEqual({ text: LIST, port: 8092, added: false });
  });

  it('takes a given port, but not one in use', () => {
    expect(registerApp(LIST, 'sink-ledger', 9100).port).toBe(9100);
    expect(() => registerApp(LIST, 'sink-ledger', 8091)).toThrow('port 8091 is already used by sink-postgres');
  });

  it('starts at 8090 in an empty list and adds the missing final newline', () => {
    expect(registerApp('', 'sink-a').text).toBe('sink-a 8090\n');
    expect(registerApp('x 9000', 'sink-a').text).toBe('x 9000\nsink-a 9001\n');
  });
});
