import { ConfigError } from '@ingest-mesh/env-config';
import { describe, expect, it } from 'vitest';
import { loadRedriverEnv, parseDuration } from './config.js';

const base = { MESH_ADMIN_TOKEN: 'a'.repeat(20), MESH_CONTROL_SECRET: 'c'.repeat(40) };

describe('redriver configuration', () => {
  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('1.5h')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('defaults: tiers 1 min, 10 min, 1 h; as many redrives as tiers; never dead-letters', () => {
    const e = loadRedriverEnv(base);
    expect(e.DLQ_REDRIVE_TIERS).toEqual([60_000, 600_000, 3_600_000]);
    expect(e.DLQ_MAX_REDRIVES).toBe(3);
    expect(e.MESH_EXHAUSTED_RETRIES).toBe('block');
    expect(e.DLQ_STORE_SCHEMA).toBe('mesh_dlq');
    expect(new RegExp(e.DLQ_TOPIC_PATTERN).test('dlq.sink-postgres')).toBe(true);
  });

  it('takes short tiers and an explicit redrive cap', () => {
    const e = loadRedriverEnv({ ...base, DLQ_REDRIVE_TIERS: '1s, 2s', DLQ_MAX_REDRIVES: '5' });
    expect(e.DLQ_REDRIVE_TIERS).toEqual([1000, 2000]);
    expect(e.DLQ_MAX_REDRIVES).toBe(5);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadRedriverEnv({ ...base, DLQ_REDRIVE_TIERS: '1s,later' })).toThrow(/DLQ_REDRIVE_TIERS: expected comma-separated durations/);
    expect(() => loadRedriverEnv({ ...base, DLQ_TOPIC_PATTERN: '(' })).toThrow(ConfigError);
    expect(() => loadRedriverEnv({ ...base, DLQ_STORE_SCHEMA: 'Bad-Name' })).toThrow(/DLQ_STORE_SCHEMA/);
  });
});
