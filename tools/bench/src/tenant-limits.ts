// The tenants' rate limits the bench gives the router: the shipped ones, read from the router's
// own config file (apps/ingest-router/config/router.yaml: acme and globex, 500 records/s and a
// burst of 1,000 each), never values raised so that the limit cannot bite. Every bench tenant
// gets the first shipped tenant's limits (acme's); the fairness phase's tenants B gets the second's.
import type { TenantLimits } from '@ingest-mesh/testing';

export { readShippedLimits, shippedLimitsOf, SHIPPED_ROUTER_CONFIG, type ShippedTenant, type TenantLimits } from '@ingest-mesh/testing';

/**
 * How many tenants a load of `ratePerSec` must be spread over so that each is offered at most
 * `headroom` of its limit: a phase that measures the router, not the limit.
 */
export function tenantsBelowLimit(ratePerSec: number, limit: TenantLimits, headroom = 0.8): number {
  return Math.max(1, Math.ceil(ratePerSec / (limit.ratePerSec * headroom)));
}
