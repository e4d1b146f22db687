// The stack's endpoints as every test and app sees them: env vars with loopback defaults. The
// defaults are the apps' own, defined once in @ingest-mesh/env-config (ENDPOINT_DEFAULTS).
import { ENDPOINT_DEFAULTS, endpointsFromEnv, type Endpoints, type EndpointVar } from '@ingest-mesh/env-config';

export const STACK_DEFAULTS = ENDPOINT_DEFAULTS;

export type StackVar = EndpointVar;
export type StackEndpoints = Endpoints;

export const STACK_MODES = ['local', 'testcontainers', 'external'] as const;
export type StackMode = (typeof STACK_MODES)[number];

/** The endpoint variables as set; unset or blank ones get their loopback default. */
export function stackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  return endpointsFromEnv(env);
}

export function parseStackMode(raw: string | undefined): StackMode {
  const value = (raw ?? '').trim() || 'local';
  if ((STACK_MODES as readonly string[]).includes(value)) return value as StackMode;
  throw new Error(`MESH_STACK must be one of ${STACK_MODES.join(', ')}; got "${value}"`);
}

/** host and port of the first entry of a URL or a host:port list. */
export function hostPort(endpoint: string, defaultPort: number): { host: string; port: number } {
  const first = endpoint.split(',')[0]!.trim();
  const withScheme = first.includes('://') ? first : `tcp://${first}`;
  const url = new URL(withScheme);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const schemeDefault = url.protocol === 'http:' ? 80 : url.protocol === 'https:' ? 443 : defaultPort;
  const port = url.port ? Number(url.port) : schemeDefault;
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`cannot read host and port from "${endpoint}"`);
  }
  return { host, port };
}

export const DEFAULT_PORTS: Record<StackVar, number> = {
  KAFKA_BROKERS: 9092,
  SCHEMA_REGISTRY_URL: 8081,
  SEARCH_URL: 9200,
  DATABASE_URL: 5432,
  REDIS_URL: 6379,
};
