import { describe, expect, it } from 'vitest';
import { hotspots } from './cpu-profile.js';

const node = (id: number, functionName: string, url: string, lineNumber: number, hitCount: number) => ({
  id,
  callFrame: { functionName, url, lineNumber },
  hitCount,
});

describe('hotspots', () => {
  it('ranks functions by self time, merging nodes of the same function, with short locations', () => {
    const profile = {
      nodes: [
        node(1, '(root)', '', -1, 0),
        node(6, '(idle)', '', -1, 500),
        node(2, 'encode', 'file:///work/main/node_modules/avsc/lib/types.js', 99, 30),
        node(3, 'handle', 'file:///work/main/apps/ingest-router/src/pipeline.ts', 57, 10),
        node(4, 'encode', 'file:///work/main/node_modules/avsc/lib/types.js', 99, 20),
        node(5, '(garbage collector)', '', -1, 40),
      ],
    };
    expect(hotspots(profile)).toEqual([
      { fn: 'encode', where: 'avsc/lib/types.js:100', selfPct: 50 },
      { fn: '(garbage collector)', where: '', selfPct: 40 },
      { fn: 'handle', where: 'apps/ingest-router/src/pipeline.ts:58', selfPct: 10 },
    ]);
    expect(hotspots(profile, 1)).toHaveLength(1);
  });
});
