import { describe, expect, it } from 'vitest';
import { distinctKeys, readIntegerReplies } from './pipeline-replies.js';

describe('readIntegerReplies', () => {
  it('returns the integer replies in order when every command succeeded', () => {
    expect(
      readIntegerReplies(
        [
          [null, 0],
          [null, 2],
          [null, 1],
        ],
        3,
      ),
    ).toEqual({ codes: [0, 2, 1], error: undefined });
  });

  it('keeps the answered replies and reports the first failure', () => {
    const first = new Error('LOADING Redis is loading the dataset in memory');
    const second = new Error('Command timed out');
    const read = readIntegerReplies(
      [
        [null, 1],
        [first, null],
        [second, null],
      ],
      3,
    );
    expect(read.codes).toEqual([1, undefined, undefined]);
    expect(read.error).toBe(first);
  });

  it('treats a missing reply list or missing replies as failures', () => {
    const none = readIntegerReplies(null, 2);
    expect(none.codes).toEqual([undefined, undefined]);
    expect(String(none.error)).toMatch(/no reply for command 1 of 2/);
    const short = readIntegerReplies([[null, 0]], 2);
    expect(short.codes).toEqual([0, undefined]);
    expect(String(short.error)).toMatch(/no reply for command 2 of 2/);
  });

  it('refuses a reply that is not an integer', () => {
    const read = readIntegerReplies([[null, 'OK']], 1);
    expect(read.codes).toEqual([undefined]);
    expect(String(read.error)).toMatch(/unexpected reply OK/);
  });
});

describe('distinctKeys', () => {
  it('sends each key once and maps every occurrence back to it', () => {
    expect(distinctKeys(['a', 'b', 'a', 'c', 'b'])).toEqual({ unique: ['a', 'b', 'c'], indexOf: [0, 1, 0, 2, 1] });
  });

  it('handles an empty batch', () => {
    expect(distinctKeys([])).toEqual({ unique: [], indexOf: [] });
  });

  it('refuses empty or non-string keys', () => {
    expect(() => distinctKeys(['a', ''])).toThrow(TypeError);
    expect(() => distinctKeys(['a', undefined as unknown as string])).toThrow(TypeError);
  });
});
