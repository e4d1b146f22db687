import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoTimestamp } from './json-timestamp.js';

describe('parseIsoTimestamp', () => {
  it.each([
    ['2025-01-01', Date.UTC(2025, 0, 1)],
    ['2025-01-01T00:00Z', Date.UTC(2025, 0, 1)],
    ['2025-01-01T10:20:30Z', Date.UTC(2025, 0, 1, 10, 20, 30)],
    ['2025-01-01t10:20:30z', Date.UTC(2025, 0, 1, 10, 20, 30)],
    ['2025-01-01 10:20:30Z', Date.UTC(2025, 0, 1, 10, 20, 30)],
    ['2025-01-01T10:20:30.1Z', Date.UTC(2025, 0, 1, 10, 20, 30, 100)],
    ['2025-01-01T10:20:30.123456789Z', Date.UTC(2025, 0, 1, 10, 20, 30, 123)],
    ['2025-01-01T10:20:30,5Z', Date.UTC(2025, 0, 1, 10, 20, 30, 500)],
    ['2025-01-01T12:20:30+02:00', Date.UTC(2025, 0, 1, 10, 20, 30)],
    ['2025-01-01T05:50:30-0430', Date.UTC(2025, 0, 1, 10, 20, 30)],
    ['2025-01-01T12:20:30+02', Date.UTC(2025, 0, 1, 10, 20, 30)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0001-01-01T00:00:00Z', -62135596800000],
  ])('%s', (text, expected) => {
    expect(parseIsoTimestamp(text)).toBe(expected);
  });

  it.each([
    '2025-01-01T00:00:00',
    '2025-02-29T00:00:00Z',
    '2025-04-31',
    '2025-13-01',
    '2025-00-10',
    '2025-01-01T24:00:00Z',
    '2025-01-01T23:60:00Z',
    '2025-01-01T23:59:60Z',
    '2025-01-01T00:00:00+24:00',
    '2025-1-1',
    '20250101',
    'now',
    '',
    ' 2025-01-01',
  ])('refuses %j', (text) => {
    expect(parseIsoTimestamp(text)).toBeUndefined();
  });

  it('agrees with Date for every instant it prints', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(parseIsoTimestamp(date.toISOString())).toBe(date.getTime());
      }),
    );
  });
});
