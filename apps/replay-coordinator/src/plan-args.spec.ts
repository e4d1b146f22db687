import { describe, expect, it } from 'vitest';
import { PlanArgsError } from './errors.js';
import { parsePlanRequest } from './plan-args.js';

const planId = '0b5c2f9e-6a43-4c1e-9f1a-7d2e8b3c4a51';
const limits = { maxThrottle: 1000, allowUnthrottled: false };
const cmd = (args: Record<string, string>, tenant: string | null = 'acme') => ({
  args: { planId, sources: 'ingest.raw', from: '2025-01-01T00:00Z', to: '2025-01-02T00:00:00.000Z', throttle: '100', ...args },
  target: { app: null, tenant, reason: null },
});

describe('parsePlanRequest', () => {
  it('parses a complete plan', () => {
    expect(parsePlanRequest(cmd({ sources: 'a, b', target: 'c' }), limits)).toEqual({
      planId,
      tenant: 'acme',
      sources: ['a', 'b'],
      target: 'c',
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-01-02T00:00:00Z'),
      throttle: 100,
    });
  });

  it('leaves the target undefined: back to each source topic', () => {
    expect(parsePlanRequest(cmd({}), limits).target).toBeUndefined();
  });

  it.each([
    [{ planId: 'nope' }, /planId/],
    [{ sources: '' }, /sources/],
    [{ sources: 'a,a' }, /twice/],
    [{ sources: 'bad topic' }, /not a valid topic/],
    [{ from: '2025-01-01' }, /ISO-8601/],
    [{ from: '2025-01-01T00:00' }, /ISO-8601/],
    [{ to: '2024-12-31T00:00Z' }, /window is empty/],
    [{ throttle: '-1' }, /throttle/],
    [{ throttle: '0' }, /unthrottled/],
    [{ throttle: '1001' }, /maximum 1000/],
  ])('refuses %j', (args, message) => {
    expect(() => parsePlanRequest(cmd(args), limits)).toThrow(PlanArgsError);
    expect(() => parsePlanRequest(cmd(args), limits)).toThrow(message);
  });

  it('needs a tenant', () => {
    expect(() => parsePlanRequest(cmd({}, null), limits)).toThrow(/target.tenant/);
  });

  it('allows --throttle 0 when unthrottled replays are allowed', () => {
    expect(parsePlanRequest(cmd({ throttle: '0' }), { ...limits, allowUnthrottled: true }).throttle).toBe(0);
  });
});
