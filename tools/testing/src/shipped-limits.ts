// The tenants' rate limits as shipped: read from the router's own config file
// (apps/ingest-router/config/router.yaml: acme and globex, 500 records/s and a burst of 1,000
// each). Tests, the chaos run and the bench give the router these, never values raised so that
// the limit cannot bite.
import path from 'node:path';
import { readConfigFile } from '@ingest-mesh/config-file';
import { REPO_ROOT } from './router-process.js';

export const SHIPPED_ROUTER_CONFIG = path.join(REPO_ROOT, 'apps/ingest-router/config/router.yaml');

export interface TenantLimits {
  ratePerSec: number;
  burst: number;
}

export interface ShippedTenant extends TenantLimits {
  /** The shipped tenant the limits come from (acme, globex). */
  from: string;
}

/** The shipped tenants' limits, in file order. Throws naming the file if one has none. */
export function shippedLimitsOf(config: unknown, file = SHIPPED_ROUTER_CONFIG): ShippedTenant[] {
  const tenants = (config as { tenants?: Record<string, { ratePerSec?: unknown; burst?: unknown }> } | null)?.tenants;
  const out: ShippedTenant[] = [];
  for (const [from, t] of Object.entries(tenants ?? {})) {
    if (typeof t?.ratePerSec !== 'number' || !(t.ratePerSec > 0) || typeof t.burst !== 'number' || !(t.burst >= 1)) {
      throw new Error(`${file}: tenants.${from} has no ratePerSec and burst; the shipped tenant limits are taken from there`);
    }
    out.push({ from, ratePerSec: t.ratePerSec, burst: t.burst });
  }
  if (out.length === 0) throw new Error(`${file}: no tenants; the shipped tenant limits are taken from there`);
  return out;
}

export async function readShippedLimits(file = SHIPPED_ROUTER_CONFIG): Promise<ShippedTenant[]> {
  return shippedLimitsOf(await readConfigFile(file), file);
}

/**
 * The most timestamps (ms) in any window [t, t + windowMs): how much was offered at once, to
 * compare with a tenant's burst over its window of burst / ratePerSec seconds.
 */
export function peakPerWindow(timestamps: readonly number[], windowMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first += 1;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}
