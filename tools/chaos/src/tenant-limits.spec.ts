import { describe, expect, it } from 'vitest';
import { limitsForTenants, readShippedLimits, shippedLimitsOf } from './tenant-limits.js';

describe('the shipped tenant limits', () => {
  it('are read from the router config the router ships (acme and globex)', async () => {
    const shipped = await readShippedLimits();
    expect(shipped.map((t) => t.from)).toEqual(['acme', 'globex']);
    for (const t of shipped) {
      expect(t.ratePerSec).toBeGreaterThan(0);
      expect(t.burst).toBeGreaterThanOrEqual(1);
      // Realistic, not raised so that a limit cannot bite.
      expect(t.ratePerSec).toBeLessThan(1_000_000);
    }
  });

  it("go to the run's tenants in file order, wrapping around", () => {
    const shipped = shippedLimitsOf({ tenants: { a: { ratePerSec: 500, burst: 1000 }, b: { ratePerSec: 50, burst: 100 } } });
    expect(limitsForTenants(shipped, 3)).toEqual([
      { from: 'a', ratePerSec: 500, burst: 1000 },
      { from: 'b', ratePerSec: 50, burst: 100 },
      { from: 'a', ratePerSec: 500, burst: 1000 },
    ]);
  });

  it('refuse a config without them, naming the tenant', () => {
    expect(() => shippedLimitsOf({ tenants: { acme: { tokenEnv: 'X' } } }, 'router.yaml')).toThrow('router.yaml: tenants.acme has no ratePerSec and burst');
    expect(() => shippedLimitsOf({}, 'router.yaml')).toThrow('router.yaml: no tenants');
  });
});
