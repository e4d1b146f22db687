import { describe, expect, it } from 'vitest';
import { readShippedLimits, shippedLimitsOf } from './tenant-limits.js';

describe('the shipped tenant limits', () => {
  it('are read from the router config the router ships, realistic rather than raised out of reach', async () => {
    const shipped = await readShippedLimits();
    expect(shipped.map((t) => t.from)).toEqual(['acme', 'globex']);
    for (const t of shipped) expect(t.ratePerSec).toBeLessThan(1_000_000);
  });

  it('refuse a config without them, naming the tenant', () => {
    expect(() => shippedLimitsOf({ tenants: { acme: { ratePerSec: 500 } } }, 'router.yaml')).toThrow('router.yaml: tenants.acme has no ratePerSec and burst');
    expect(() => shippedLimitsOf({ tenants: {} }, 'router.yaml')).toThrow('router.yaml: no tenants');
  });
});
