import { describe, expect, it } from 'vitest';
import { sinkNames } from './names';

describe('sinkNames', () => {
  it('derives the app, class, function, variable and topic names', () => {
    expect(sinkNames('ledger-archive')).toEqual({
      name: 'ledger-archive',
      app: 'sink-ledger-archive',
      className: 'LedgerArchive',
      propertyName: 'ledgerArchive',
      constantName: 'LEDGER_ARCHIVE',
      topic: 'sink.ledger-archive',
    });
  });

  it('refuses names that would not make valid apps, topics or identifiers, saying what to use', () => {
    expect(() => sinkNames('Ledger')).toThrow('lower-case letters');
    expect(() => sinkNames('9lives')).toThrow('starting with a letter');
    expect(() => sinkNames('a--b')).toThrow('single dashes');
    expect(() => sinkNames('ledger-')).toThrow('single dashes');
    expect(() => sinkNames('sink-ledger')).toThrow('without the "sink-" prefix');
    expect(() => sinkNames('postgres')).toThrow('taken');
  });
});
