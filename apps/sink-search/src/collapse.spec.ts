import { describe, expect, it } from 'vitest';
import { collapse } from './collapse.js';

describe('collapse', () => {
  it('keeps the highest revision per document, in batch order', () => {
    const refs = [
      { index: 'i', id: 'a', revision: 1 },
      { index: 'i', id: 'b', revision: 5 },
      { index: 'i', id: 'a', revision: 3 },
      { index: 'i', id: 'b', revision: 2 },
      { index: 'j', id: 'a', revision: 1 },
    ];
    expect(collapse(refs)).toEqual({ winners: [1, 2, 4], superseded: [0, 3] });
  });

  it('on equal revisions the later record wins', () => {
    expect(collapse([{ index: 'i', id: 'a', revision: 2 }, { index: 'i', id: 'a', revision: 2 }])).toEqual({ winners: [1], superseded: [0] });
  });
});
