import { describe, expect, it } from 'vitest';
import { loadLagExporterEnv } from './config.js';

describe('mesh-lag-exporter config', () => {
  it('defaults to the mesh groups without control groups, every 15 s, a day of history', () => {
    const c = loadLagExporterEnv({});
    expect(c.LAG_EXPORTER_GROUP_INCLUDE.test('mesh.sink-postgres')).toBe(true);
    expect(c.LAG_EXPORTER_GROUP_EXCLUDE.test('mesh.sink-postgres.control.x')).toBe(true);
    expect(c.LAG_EXPORTER_INTERVAL_MS).toBe(15_000);
    expect(c.LAG_EXPORTER_HISTORY_MINUTES).toBe(1440);
  });

  it('fails fast naming the variable', () => {
    expect(() => loadLagExporterEnv({ LAG_EXPORTER_GROUP_INCLUDE: '(' })).toThrow(/LAG_EXPORTER_GROUP_INCLUDE/);
    expect(() => loadLagExporterEnv({ LAG_EXPORTER_INTERVAL_MS: '10' })).toThrow(/LAG_EXPORTER_INTERVAL_MS/);
  });
});
