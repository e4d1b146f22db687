import { describe, expect, it } from 'vitest';
import { cpuTicks, ProcSampler, rssMb } from './proc-sampler.js';

describe('ProcSampler (this process)', () => {
  it('reads CPU ticks and resident memory from /proc', () => {
    expect(cpuTicks(process.pid)).toBeGreaterThan(0);
    expect(rssMb(process.pid)).toBeGreaterThan(10);
  });

  it('reports CPU used between start and stop, and the highest RSS', async () => {
    const sampler = new ProcSampler(new Map([['self', process.pid]]));
    sampler.start(10);
    const until = Date.now() + 300;
    let spin = 0;
    while (Date.now() < until) spin += Math.sqrt(spin + 1);
    const usage = sampler.stop().get('self')!;
    expect(spin).toBeGreaterThan(0);
    // Some CPU was used, and no more than this process could (it runs one thread of JavaScript).
    expect(usage.cpuCores).toBeGreaterThan(0);
    expect(usage.cpuCores).toBeLessThan(2);
    expect(usage.maxRssMb).toBeGreaterThan(10);
  });
});
