import { describe, expect, it } from 'vitest';
import { segmentLimit } from './replay-run.js';
import { replayHeaders } from './replay-headers.js';
import { assertTopicsExist, resolveWindow, windowSize, type WindowAdmin } from './window.js';

const admin = {
  listTopics: async () => ['t'],
  fetchTopicOffsets: async () => [
    { partition: 0, offset: '100', high: '100', low: '10' },
    { partition: 1, offset: '50', high: '50', low: '0' },
    { partition: 2, offset: '0', high: '0', low: '0' },
  ],
  fetchTopicOffsetsByTimestamp: async (_topic: string, ts?: number) =>
    ts === 1000
      ? [
          { partition: 0, offset: '5' }, // before retention's low: starts at 10
          { partition: 1, offset: '20' },
          { partition: 2, offset: '0' },
        ]
      : [
          { partition: 0, offset: '60' },
          { partition: 1, offset: '50' }, // none after `to` yet: the high watermark
          { partition: 2, offset: '0' },
        ],
} as unknown as WindowAdmin;

describe('resolveWindow', () => {
  it('freezes start and end per partition, clamped to what the log still holds', async () => {
    const w = await resolveWindow(admin, ['t'], new Date(1000), new Date(2000));
    expect(w).toEqual([
      { topic: 't', partition: 0, start: 10, end: 60 },
      { topic: 't', partition: 1, start: 20, end: 50 },
      { topic: 't', partition: 2, start: 0, end: 0 },
    ]);
    expect(windowSize(w)).toBe(80);
  });

  it('names missing topics', async () => {
    await expect(assertTopicsExist(admin, ['t', 'u', 'v'])).rejects.toThrow('no such topic: u, v');
  });
});

describe('segmentLimit', () => {
  it('is about 200 ms of tokens when throttled, the batch size otherwise', () => {
    expect(segmentLimit(200, 500)).toBe(40);
    expect(segmentLimit(1, 500)).toBe(1);
    expect(segmentLimit(100_000, 500)).toBe(500);
    expect(segmentLimit(0, 500)).toBe(500);
  });
});

describe('replayHeaders', () => {
  it('keeps the original headers and adds the plan and the source coordinates', () => {
    const h = replayHeaders('p-1', 'ingest.raw', 2, { offset: '42', headers: { traceparent: Buffer.from('00-a-b-01') } });
    expect(h).toEqual({ traceparent: Buffer.from('00-a-b-01'), 'x-mesh-replay-id': 'p-1', 'x-mesh-replay-source': 'ingest.raw/2/42' });
  });
});
