// Where records of (tenant, entityType) go. Four layers, first match wins:
//   override(tenant, type) > override(*, type)   — from the compacted topic mesh.routes, hot
//   > config tenantOverrides[tenant][type] > config entityTypes[type].
// Sinks and priority resolve independently: a layer without a priority leaves it to the next;
// when no layer sets one, the route has none and each record keeps its own (default normal).
// Pure: the listener feeds records in through applyOverride.
import { z } from 'zod';
import { ENTITY_TYPE_PATTERN, PRIORITIES, formatPath, SINK_NAME_PATTERN, TENANT_NAME_PATTERN, type Priority, type RouterConfig } from './router-config.js';

export const ALL_TENANTS = '*';

export interface Route {
  sinks: string[];
  /** `sink.<name>` for each sink, in the same order. */
  topics: string[];
  /** Set when a layer sets it; otherwise the record's own priority applies. */
  priority?: Priority;
}

/** Value of a mesh.routes record. `sinks: []` turns the route off (records fail UNKNOWN_ROUTE). */
export interface RouteOverride {
  sinks: string[];
  priority?: Priority;
}

export interface RouteKey {
  tenant: string;
  entityType: string;
}

export type ApplyResult = { ok: true; change: 'set' | 'removed' | 'unchanged' } | { ok: false; error: string };

export const routeOverrideSchema = z.strictObject({
  sinks: z.array(z.string().regex(SINK_NAME_PATTERN, { error: 'not a valid sink name (lowercase letters, digits and -, starting with a letter)' }), {
    error: 'expected a list of sink names',
  }),
  priority: z.enum(PRIORITIES).optional(),
});

export const sinkTopic = (sink: string): string => `sink.${sink}`;

/** `<tenant|*>:<entityType>` */
export function formatRouteKey(key: RouteKey): string {
  return `${key.tenant}:${key.entityType}`;
}

export function parseRouteKey(raw: string): { ok: true; key: RouteKey } | { ok: false; error: string } {
  const colon = raw.indexOf(':');
  if (colon < 0) return { ok: false, error: `route key "${bounded(raw)}" is not <tenant|*>:<entityType>` };
  const tenant = raw.slice(0, colon);
  const entityType = raw.slice(colon + 1);
  if (tenant !== ALL_TENANTS && !TENANT_NAME_PATTERN.test(tenant)) {
    return { ok: false, error: `route key "${bounded(raw)}": "${bounded(tenant)}" is neither * nor a valid tenant name` };
  }
  if (!ENTITY_TYPE_PATTERN.test(entityType)) {
    return { ok: false, error: `route key "${bounded(raw)}": "${bounded(entityType)}" is not a valid entity type` };
  }
  return { ok: true, key: { tenant, entityType } };
}

/** Parses and validates a mesh.routes value (JSON). */
export function parseRouteOverride(value: Buffer | string): { ok: true; override: RouteOverride } | { ok: false; error: string } {
  const text = typeof value === 'string' ? value : value.toString('utf8');
  if (text.length === 0) return { ok: false, error: 'empty value (a tombstone, i.e. a null value, removes an override)' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `value is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const result = routeOverrideSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length ? formatPath(i.path) : 'value'}: ${i.message}`);
    return { ok: false, error: `invalid route override: ${problems.join('; ')}` };
  }
  const override: RouteOverride = { sinks: [...new Set(result.data.sinks)] };
  if (result.data.priority !== undefined) override.priority = result.data.priority;
  return { ok: true, override };
}

export function encodeRouteOverride(override: RouteOverride): Buffer {
  return Buffer.from(JSON.stringify(override));
}

export class RouteTable {
  private readonly live = new Map<string, RouteOverride>();

  constructor(private readonly config: Pick<RouterConfig, 'entityTypes' | 'tenantOverrides'>) {}

  /** The route of (tenant, entityType), or undefined when nothing routes it anywhere. */
  resolve(tenant: string, entityType: string): Route | undefined {
    const layers: ({ sinks?: string[]; priority?: Priority } | undefined)[] = [
      this.live.get(formatRouteKey({ tenant, entityType })),
      this.live.get(formatRouteKey({ tenant: ALL_TENANTS, entityType })),
      own(own(this.config.tenantOverrides, tenant), entityType),
      own(this.config.entityTypes, entityType),
    ];
    const sinks = layers.find((l) => l?.sinks !== undefined)?.sinks;
    if (!sinks || sinks.length === 0) return undefined;
    const priority = layers.find((l) => l?.priority !== undefined)?.priority;
    return priority === undefined ? { sinks: [...sinks], topics: sinks.map(sinkTopic) } : { sinks: [...sinks], topics: sinks.map(sinkTopic), priority };
  }

  /** Applies one mesh.routes record: a JSON override, or null (tombstone) to remove it. */
  applyOverride(key: string, value: Buffer | null): ApplyResult {
    const parsedKey = parseRouteKey(key);
    if (!parsedKey.ok) return parsedKey;
    const k = formatRouteKey(parsedKey.key);
    if (value === null) return { ok: true, change: this.live.delete(k) ? 'removed' : 'unchanged' };
    const parsed = parseRouteOverride(value);
    if (!parsed.ok) return parsed;
    const before = this.live.get(k);
    this.live.set(k, parsed.override);
    return { ok: true, change: before && JSON.stringify(before) === JSON.stringify(parsed.override) ? 'unchanged' : 'set' };
  }

  /** The live overrides from mesh.routes, by key, sorted. */
  overrides(): Record<string, RouteOverride> {
    const out: Record<string, RouteOverride> = {};
    for (const k of [...this.live.keys()].sort()) {
      const o = this.live.get(k)!;
      out[k] = o.priority === undefined ? { sinks: [...o.sinks] } : { sinks: [...o.sinks], priority: o.priority };
    }
    return out;
  }
}

function own<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

function bounded(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}
