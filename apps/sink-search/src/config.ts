// The search side of the sink's environment, validated at start-up.
import { endpointEnv, env, parseEnv } from '@ingest-mesh/env-config';
import type { OpenSearchBackendOptions } from './opensearch-backend.js';
import type { SearchSinkOptions } from './search-sink.js';

export const searchEnvShape = {
  SEARCH_URL: endpointEnv.SEARCH_URL,
  SINK_SEARCH_INDEX_PREFIX: env.string('mesh-').default('mesh-'),
  SINK_SEARCH_REFRESH: env.oneOf(['false', 'wait_for', 'true'] as const, 'false'),
  SINK_SEARCH_BULK_MAX_ITEMS: env.int(1, 100_000, 2000),
  SINK_SEARCH_BULK_MAX_BYTES: env.int(1024, 100 * 1024 * 1024, 5 * 1024 * 1024),
  SINK_SEARCH_REQUEST_TIMEOUT_MS: env.int(100, 3_600_000, 30_000),
  /** Bulk (and version lookup) requests in flight at once across all partitions: the engine's write queue is shared. */
  SINK_SEARCH_MAX_IN_FLIGHT: env.int(1, 64, 2),
};

export type SearchEnv = ReturnType<typeof loadSearchEnv>;

export function loadSearchEnv(source: NodeJS.ProcessEnv = process.env) {
  return parseEnv(searchEnvShape, source);
}

export function openSearchBackendOptions(e: SearchEnv): OpenSearchBackendOptions {
  return { node: e.SEARCH_URL, indexPrefix: e.SINK_SEARCH_INDEX_PREFIX, refresh: e.SINK_SEARCH_REFRESH, requestTimeoutMs: e.SINK_SEARCH_REQUEST_TIMEOUT_MS };
}

export function searchSinkOptions(e: SearchEnv): Omit<SearchSinkOptions, 'backend' | 'schemas' | 'onMappingIssue'> {
  return {
    indexPrefix: e.SINK_SEARCH_INDEX_PREFIX,
    bulkMaxItems: e.SINK_SEARCH_BULK_MAX_ITEMS,
    bulkMaxBytes: e.SINK_SEARCH_BULK_MAX_BYTES,
    maxInFlight: e.SINK_SEARCH_MAX_IN_FLIGHT,
  };
}
