import { describe, expect, it } from 'vitest';
import { groupByKey, settleRest } from './collapse.js';

const v = (index: number, keyId: string, revision: number) => ({ index, keyId, revision });

describe('groupByKey', () => {
  it('groups per key, best version first: highest revision, then earliest in the batch', () => {
    const groups = groupByKey([v(0, 'a', 1), v(1, 'b', 5), v(2, 'a', 3), v(3, 'a', 2), v(4, 'a', 3)]);
    expect(groups).toEqual([
      { keyId: 'a', versions: [v(2, 'a', 3), v(4, 'a', 3), v(3, 'a', 2), v(0, 'a', 1)] },
      { keyId: 'b', versions: [v(1, 'b', 5)] },
    ]);
  });

  it('is empty for an empty batch', () => {
    expect(groupByKey([])).toEqual([]);
  });
});

describe('settleRest', () => {
  const versions = [v(2, 'a', 3), v(4, 'a', 3), v(3, 'a', 2), v(0, 'a', 1)];

  it('after a written winner: the same revision is an equal-revision no-op, lower ones superseded-in-batch', () => {
    expect(settleRest(versions, 0, { status: 'written' })).toEqual([
      [4, { status: 'noop', why: 'equal-revision' }],
      [3, { status: 'noop', why: 'superseded-in-batch' }],
      [0, { status: 'noop', why: 'superseded-in-batch' }],
    ]);
  });

  it('after an equal-revision winner: the same', () => {
    expect(settleRest(versions, 0, { status: 'noop', why: 'equal-revision' })[1]).toEqual([3, { status: 'noop', why: 'superseded-in-batch' }]);
  });

  it('after a winner refused as older: every other version is older too', () => {
    expect(settleRest(versions, 0, { status: 'older-revision', currentRevision: 9 })).toEqual([
      [4, { status: 'older-revision', currentRevision: 9 }],
      [3, { status: 'older-revision', currentRevision: 9 }],
      [0, { status: 'older-revision', currentRevision: 9 }],
    ]);
  });

  it('from a fallback position only the versions after it are settled', () => {
    expect(settleRest(versions, 2, { status: 'written' })).toEqual([[0, { status: 'noop', why: 'superseded-in-batch' }]]);
  });
});
