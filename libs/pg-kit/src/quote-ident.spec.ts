import { describe, expect, it } from 'vitest';
import { qualifiedName, quoteIdent } from './quote-ident.js';

describe('quoteIdent', () => {
  it('quotes and doubles embedded quotes', () => {
    expect(quoteIdent('customers')).toBe('"customers"');
    expect(quoteIdent('we"ird; DROP TABLE x; --')).toBe('"we""ird; DROP TABLE x; --"');
    expect(qualifiedName('public', 'orders')).toBe('"public"."orders"');
  });

  it('refuses what PostgreSQL cannot name', () => {
    expect(() => quoteIdent('')).toThrow('cannot be empty');
    expect(() => quoteIdent('a\u0000b')).toThrow('NUL');
    expect(() => quoteIdent('x'.repeat(64))).toThrow('longer than 63 bytes');
    expect(quoteIdent('x'.repeat(63))).toHaveLength(65);
  });
});
