import { describe, expect, it } from 'vitest';
import { parseRequest } from './args.js';
import { CliError, EXIT } from './exit-codes.js';
import { bar, histogram, showBytes, table } from './render.js';

const usageError = (argv: string[]) => {
  try {
    parseRequest(argv);
  } catch (err) {
    return err instanceof CliError && err.exitCode === EXIT.USAGE ? err.message : `wrong error ${String(err)}`;
  }
  return 'no error';
};

describe('dlqtriage arguments', () => {
  it('reads a redrive with every filter', () => {
    const r = parseRequest([
      'redrive',
      '--tenant',
      'acme',
      '--reason',
      'CONNECTION_ERROR',
      '--app',
      'sink-postgres',
      '--since',
      '2025-01-01T00:00Z',
      '--limit',
      '500',
      '--rate',
      '0',
      '--wait',
    ]);
    expect(r).toMatchObject({
      action: 'redrive',
      tenant: 'acme',
      reason: 'CONNECTION_ERROR',
      app: 'sink-postgres',
      since: '2025-01-01T00:00:00.000Z',
      limit: 500,
      rate: 0,
      wait: true,
      dryRun: false,
    });
  });

  it('makes a dry run wait for its answer', () => {
    expect(parseRequest(['redrive', '--dry-run'])).toMatchObject({ dryRun: true, wait: true });
  });

  it('reads quarantine subcommands and purge', () => {
    expect(parseRequest(['quarantine', 'release', '--id', '4,5']).ids).toBe('4,5');
    expect(parseRequest(['quarantine', 'list']).action).toBe('quarantine-list');
    expect(parseRequest(['purge', '--older-than', '30', '--tenant', 'acme'])).toMatchObject({ action: 'purge', olderThanDays: 30, tenant: 'acme' });
  });

  it('refuses what it cannot do, as usage errors (exit 2)', () => {
    expect(usageError(['sample'])).toMatch(/--reason/);
    expect(usageError(['purge'])).toMatch(/--older-than/);
    expect(usageError(['redrive', '--reason', 'BROKEN'])).toMatch(/not a reason code/);
    expect(usageError(['redrive', '--limit', '-1'])).toMatch(/--limit/);
    expect(usageError(['redrive', '--since', 'yesterday'])).toMatch(/--since/);
    expect(usageError(['redrive', '--secret', 'x'])).toMatch(/secret/);
    expect(usageError(['quarantine', 'drop'])).toMatch(/list, release, archive/);
    expect(usageError(['frobnicate'])).toMatch(/unknown command/);
    expect(usageError(['summary', 'extra'])).toMatch(/unexpected argument/);
  });

  it('shows help without a command', () => {
    expect(parseRequest([]).action).toBe('help');
  });
});

describe('rendering', () => {
  it('aligns tables and marks empty cells', () => {
    expect(
      table([
        { app: 'sink-postgres', n: 3 },
        { app: 'x', n: null },
      ]),
    ).toBe('APP            N\nsink-postgres  3\nx              -');
    expect(table([])).toBe('(none)');
  });

  it('draws progress and histograms', () => {
    expect(bar(5, 10, 10)).toBe('[#####.....]  50%');
    expect(bar(0, 0, 4)).toBe('[####] 100%');
    expect(
      histogram(
        [
          { hour: '2025-01-01 10:00', letters: 2 },
          { hour: '2025-01-01 11:00', letters: 4 },
        ],
        4,
      ),
    ).toBe('2025-01-01 10:00        2  ██\n2025-01-01 11:00        4  ████');
  });

  it('shows text as text and binary as base64', () => {
    expect(showBytes(Buffer.from('acme:customer:1'))).toBe('acme:customer:1');
    expect(showBytes(Buffer.from([0, 1, 2]))).toBe('base64:AAEC');
    expect(showBytes(null)).toBe('-');
  });
});
