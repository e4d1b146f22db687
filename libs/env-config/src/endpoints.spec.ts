import { describe, expect, it } from 'vitest';
import { brokerList, ENDPOINT_DEFAULTS, ENDPOINT_VARS, endpointEnv, endpointsFromEnv } from './endpoints.js';
import { parseEnv } from './parse-env.js';

describe('ENDPOINT_DEFAULTS', () => {
  it('are the local stack on loopback, as the READMEs document them', () => {
    // The one place the values are written twice on purpose: changing a default is a decision.
    expect(ENDPOINT_DEFAULTS).toEqual({
      KAFKA_BROKERS: '127.0.0.1:9092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      DATABASE_URL: 'postgres://mesh@127.0.0.1:5432/mesh',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SEARCH_URL: 'http://127.0.0.1:9200',
    });
    expect(ENDPOINT_VARS).toEqual(Object.keys(ENDPOINT_DEFAULTS));
  });
});

describe('endpointsFromEnv', () => {
  it('uses the defaults for unset or blank variables', () => {
    expect(endpointsFromEnv({ KAFKA_BROKERS: '  ' })).toEqual(ENDPOINT_DEFAULTS);
  });
  it('keeps what the environment sets, trimmed', () => {
    const got = endpointsFromEnv({ REDIS_URL: ' redis://10.0.0.5:6380 ' });
    expect(got.REDIS_URL).toBe('redis://10.0.0.5:6380');
    expect(got.DATABASE_URL).toBe(ENDPOINT_DEFAULTS.DATABASE_URL);
  });
});

describe('brokerList', () => {
  it('splits, trims and drops blanks', () => {
    expect(brokerList(' a:1, b:2 ,,')).toEqual(['a:1', 'b:2']);
    expect(brokerList(ENDPOINT_DEFAULTS.KAFKA_BROKERS)).toEqual(['127.0.0.1:9092']);
  });
});

describe('endpointEnv', () => {
  it('defaults every endpoint variable to its loopback endpoint', () => {
    expect(parseEnv(endpointEnv, {})).toEqual({ ...ENDPOINT_DEFAULTS, KAFKA_BROKERS: [ENDPOINT_DEFAULTS.KAFKA_BROKERS] });
  });
  it('gives every parse its own broker array', () => {
    const a = parseEnv(endpointEnv, {});
    a.KAFKA_BROKERS.push('mutated:1');
    expect(parseEnv(endpointEnv, {}).KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });
  it('reads what is set and names a bad URL with an example', () => {
    expect(parseEnv(endpointEnv, { KAFKA_BROKERS: 'k1:9092,k2:9092', SEARCH_URL: 'https://search:443' })).toMatchObject({
      KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      SEARCH_URL: 'https://search:443',
    });
    expect(() => parseEnv(endpointEnv, { DATABASE_URL: 'nope' })).toThrow(
      'DATABASE_URL: expected a URL such as postgres://mesh@127.0.0.1:5432/mesh (got "nope")',
    );
  });
});
