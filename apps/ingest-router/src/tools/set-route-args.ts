// Command line of set-route: which override to publish on mesh.routes (or remove, or list).
import { parseArgs } from 'node:util';
import { brokerList, ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { PRIORITIES, type Priority } from '../router-config.js';
import { ALL_TENANTS, formatRouteKey, parseRouteKey, routeOverrideSchema, type RouteOverride } from '../routes.js';
import { ROUTES_TOPIC } from '../route-overrides.js';

export const SET_ROUTE_USAGE = `usage:
  set-route --tenant <tenant|*> --entity-type <type> --sinks <sink,...> [--priority high|normal|low]
  set-route --tenant <tenant|*> --entity-type <type> --off       route nowhere (records fail UNKNOWN_ROUTE)
  set-route --tenant <tenant|*> --entity-type <type> --delete    remove the override (tombstone)
  set-route --list                                                print the overrides in force
options:
  --all-tenants        same as --tenant '*'
  --topic <name>       default ${ROUTES_TOPIC}
  --brokers <list>     default $KAFKA_BROKERS or ${ENDPOINT_DEFAULTS.KAFKA_BROKERS}`;

export type SetRouteCommand =
  | { action: 'set'; key: string; override: RouteOverride; topic: string; brokers: string[] }
  | { action: 'delete'; key: string; topic: string; brokers: string[] }
  | { action: 'list'; topic: string; brokers: string[] }
  | { action: 'help' };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseSetRouteArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SetRouteCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        tenant: { type: 'string' },
        'all-tenants': { type: 'boolean' },
        'entity-type': { type: 'string' },
        sinks: { type: 'string' },
        priority: { type: 'string' },
        off: { type: 'boolean' },
        delete: { type: 'boolean' },
        list: { type: 'boolean' },
        topic: { type: 'string' },
        brokers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { action: 'help' };
  const topic = values.topic ?? ROUTES_TOPIC;
  const brokers = brokerList(values.brokers ?? env.KAFKA_BROKERS ?? ENDPOINT_DEFAULTS.KAFKA_BROKERS);
  if (brokers.length === 0) throw new UsageError('--brokers: expected host:port[,host:port…]');
  if (values.list) {
    const extra = (['tenant', 'all-tenants', 'entity-type', 'sinks', 'priority', 'off', 'delete'] as const).filter((o) => values[o] !== undefined);
    if (extra.length > 0) throw new UsageError(`--list takes no ${extra.map((o) => `--${o}`).join(', ')}`);
    return { action: 'list', topic, brokers };
  }

  if (values.tenant !== undefined && values['all-tenants']) throw new UsageError('give --tenant or --all-tenants, not both');
  const tenant = values['all-tenants'] ? ALL_TENANTS : values.tenant;
  if (tenant === undefined) throw new UsageError('--tenant is required (or --all-tenants)');
  const entityType = values['entity-type'];
  if (entityType === undefined) throw new UsageError('--entity-type is required');
  const key = parseRouteKey(formatRouteKey({ tenant, entityType }));
  if (!key.ok) throw new UsageError(key.error);
  const keyText = formatRouteKey(key.key);

  const modes = (['sinks', 'off', 'delete'] as const).filter((o) => values[o] !== undefined);
  if (modes.length !== 1) throw new UsageError('give exactly one of --sinks, --off, --delete');
  if (values.delete) {
    if (values.priority !== undefined) throw new UsageError('--delete takes no --priority');
    return { action: 'delete', key: keyText, topic, brokers };
  }
  const sinks = values.off
    ? []
    : (values.sinks ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  if (!values.off && sinks.length === 0) throw new UsageError('--sinks: expected a comma-separated list of sink names (use --off to route nowhere)');
  if (values.priority !== undefined && !(PRIORITIES as readonly string[]).includes(values.priority)) {
    throw new UsageError(`--priority: expected one of ${PRIORITIES.join(', ')}, got "${values.priority}"`);
  }
  const candidate = { sinks, ...(values.priority !== undefined ? { priority: values.priority as Priority } : {}) };
  const checked = routeOverrideSchema.safeParse(candidate);
  if (!checked.success) throw new UsageError(`--sinks: ${checked.error.issues.map((i) => `"${String(sinks[Number(i.path[1])])}" ${i.message}`).join('; ')}`);
  return { action: 'set', key: keyText, override: candidate, topic, brokers };
}
