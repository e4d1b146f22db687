// Where the stack's services are when nothing says otherwise: the loopback endpoints of the local
// stack (tools/stack, docker-compose.yml), defined once. Every app, CLI and test reads these
// variables with these defaults. Keep them in step with tools/stack/components/*.sh.
import { env } from './fields.js';

export const ENDPOINT_DEFAULTS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://mesh@127.0.0.1:5432/mesh',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SEARCH_URL: 'http://127.0.0.1:9200',
} as const;

export type EndpointVar = keyof typeof ENDPOINT_DEFAULTS;
export type Endpoints = Record<EndpointVar, string>;

export const ENDPOINT_VARS = Object.keys(ENDPOINT_DEFAULTS) as EndpointVar[];

/** A comma-separated broker list (`a:9092, b:9092`) as host:port entries, blanks dropped. */
export function brokerList(text: string): string[] {
  return text
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** The endpoint variables as the environment sets them; unset or blank ones get their loopback default. */
export function endpointsFromEnv(source: NodeJS.ProcessEnv = process.env): Endpoints {
  const out = {} as Endpoints;
  for (const key of ENDPOINT_VARS) {
    const value = source[key]?.trim();
    out[key] = value ? value : ENDPOINT_DEFAULTS[key];
  }
  return out;
}

/** parseEnv fields of the endpoint variables, each defaulting to its loopback endpoint. */
export const endpointEnv = {
  KAFKA_BROKERS: env.list(ENDPOINT_DEFAULTS.KAFKA_BROKERS).default(() => brokerList(ENDPOINT_DEFAULTS.KAFKA_BROKERS)),
  SCHEMA_REGISTRY_URL: env.url(ENDPOINT_DEFAULTS.SCHEMA_REGISTRY_URL).default(ENDPOINT_DEFAULTS.SCHEMA_REGISTRY_URL),
  DATABASE_URL: env.url(ENDPOINT_DEFAULTS.DATABASE_URL).default(ENDPOINT_DEFAULTS.DATABASE_URL),
  REDIS_URL: env.url(ENDPOINT_DEFAULTS.REDIS_URL).default(ENDPOINT_DEFAULTS.REDIS_URL),
  SEARCH_URL: env.url(ENDPOINT_DEFAULTS.SEARCH_URL).default(ENDPOINT_DEFAULTS.SEARCH_URL),
};
