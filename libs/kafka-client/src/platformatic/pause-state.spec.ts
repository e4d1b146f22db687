import { describe, expect, it } from 'vitest';
import { PauseState } from './pause-state.js';

describe('PauseState', () => {
  it('pauses and resumes one partition', () => {
    const s = new PauseState();
    s.pause([{ topic: 't', partitions: [1] }]);
    expect([s.isPaused('t', 0), s.isPaused('t', 1)]).toEqual([false, true]);
    s.resume([{ topic: 't', partitions: [1] }]);
    expect(s.isPaused('t', 1)).toBe(false);
  });

  it('a whole-topic pause covers every partition; resuming the topic clears partition pauses too (kafkajs)', () => {
    const s = new PauseState();
    s.pause([{ topic: 't', partitions: [2] }]);
    s.pause([{ topic: 't' }]);
    expect([0, 1, 2].map((p) => s.isPaused('t', p))).toEqual([true, true, true]);
    s.resume([{ topic: 't' }]);
    expect([0, 1, 2].map((p) => s.isPaused('t', p))).toEqual([false, false, false]);
    expect(s.isPaused('other', 0)).toBe(false);
  });

  it('resuming one partition of a paused topic lets only it through', () => {
    const s = new PauseState();
    s.pause([{ topic: 't' }]);
    s.resume([{ topic: 't', partitions: [0] }]);
    expect([0, 1].map((p) => s.isPaused('t', p))).toEqual([false, true]);
  });

  it('pausing one partition of a paused topic leaves the topic paused', () => {
    const s = new PauseState();
    s.pause([{ topic: 't' }]);
    s.pause([{ topic: 't', partitions: [0] }]);
    expect([0, 1].map((p) => s.isPaused('t', p))).toEqual([true, true]);
  });
});
