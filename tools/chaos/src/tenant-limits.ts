// The tenants' rate limits the chaos run gives the router: the shipped ones, read from the
// router's own config file (apps/ingest-router/config/router.yaml: acme and globex, 500 records/s
// and a burst of 1,000 each), never values raised so that the limit cannot bite. The run's tenant
// chaos-t<n> gets the limits of the shipped file's n-th tenant (in file order, wrapping around).
import type { ShippedTenant } from '@ingest-mesh/testing';

export { readShippedLimits, shippedLimitsOf, SHIPPED_ROUTER_CONFIG, type ShippedTenant, type TenantLimits } from '@ingest-mesh/testing';

/** The limits of the run's `count` tenants: tenant n gets the shipped tenant n (wrapping). */
export function limitsForTenants(shipped: readonly ShippedTenant[], count: number): ShippedTenant[] {
  return Array.from({ length: count }, (_, n) => shipped[n % shipped.length]!);
}
