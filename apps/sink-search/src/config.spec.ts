import { ConfigError, ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { describe, expect, it } from 'vitest';
import { loadSinkSearchEnv } from './app-env.js';
import { loadSearchEnv, openSearchBackendOptions, searchSinkOptions } from './config.js';

describe('search env', () => {
  it('has loopback defaults; two bulk requests in flight', () => {
    const env = loadSearchEnv({});
    expect(env).toMatchObject({
      SEARCH_URL: ENDPOINT_DEFAULTS.SEARCH_URL,
      SINK_SEARCH_INDEX_PREFIX: 'mesh-',
      SINK_SEARCH_REFRESH: 'false',
      SINK_SEARCH_MAX_IN_FLIGHT: 2,
    });
    expect(searchSinkOptions(env)).toEqual({ indexPrefix: 'mesh-', bulkMaxItems: 2000, bulkMaxBytes: 5 * 1024 * 1024, maxInFlight: 2 });
    expect(openSearchBackendOptions(env)).toMatchObject({
      node: ENDPOINT_DEFAULTS.SEARCH_URL,
      indexPrefix: 'mesh-',
      refresh: 'false',
      requestTimeoutMs: 30_000,
    });
  });

  it('SINK_SEARCH_MAX_IN_FLIGHT becomes the sink’s bound, and is part of the app’s environment', () => {
    expect(searchSinkOptions(loadSearchEnv({ SINK_SEARCH_MAX_IN_FLIGHT: '8' })).maxInFlight).toBe(8);
    const secrets = { MESH_ADMIN_TOKEN: 'a'.repeat(16), MESH_CONTROL_SECRET: 'c'.repeat(32) };
    expect(loadSinkSearchEnv({ ...secrets, SINK_SEARCH_MAX_IN_FLIGHT: '3' }).SINK_SEARCH_MAX_IN_FLIGHT).toBe(3);
  });

  it('names a bad SINK_SEARCH_MAX_IN_FLIGHT', () => {
    for (const bad of ['0', '65', 'two', '1.5']) {
      expect(() => loadSearchEnv({ SINK_SEARCH_MAX_IN_FLIGHT: bad })).toThrow(ConfigError);
      expect(() => loadSearchEnv({ SINK_SEARCH_MAX_IN_FLIGHT: bad })).toThrow(/SINK_SEARCH_MAX_IN_FLIGHT: expected an integer from 1 to 64/);
    }
  });
});
