import { describe, expect, it } from 'vitest';
import { loadSinkEnv, sinkAppSettings } from './sink-env.js';

const secrets = { MESH_ADMIN_TOKEN: 'a'.repeat(16), MESH_CONTROL_SECRET: 's'.repeat(32) };

describe('the sink variables', () => {
  it('default to the sink topic of the sink, the app group, waiting for the store, dead-lettering older revisions and a 30 s breaker reset', () => {
    const settings = sinkAppSettings(loadSinkEnv(secrets), 'search');
    expect(settings.topics).toEqual(['sink.search']);
    expect(settings.groupId).toBeUndefined();
    expect(settings.deadLetterInfrastructureFailures).toBe(false);
    expect(settings.olderRevision).toBe('dlq');
    expect(settings.circuit).toEqual({ resetTimeoutMs: 30_000 });
  });

  it('set the topic, group, dead-lettering and breaker reset of any sink', () => {
    const env = loadSinkEnv({
      ...secrets,
      SINK_TOPIC: 'sink.search.eu',
      SINK_GROUP_ID: 'mesh.sink-search-eu',
      SINK_DEAD_LETTER_INFRASTRUCTURE_FAILURES: 'true',
      SINK_OLDER_REVISION: 'skip',
      SINK_CIRCUIT_RESET_MS: '5000',
    });
    const settings = sinkAppSettings(env, 'search');
    expect(settings).toMatchObject({
      topics: ['sink.search.eu'],
      groupId: 'mesh.sink-search-eu',
      deadLetterInfrastructureFailures: true,
      olderRevision: 'skip',
      circuit: { resetTimeoutMs: 5000 },
    });
    expect(settings.env).toBe(env);
  });

  it('fail fast naming the variable and what was expected', () => {
    expect(() => loadSinkEnv({ ...secrets, SINK_CIRCUIT_RESET_MS: 'soon' })).toThrow(/SINK_CIRCUIT_RESET_MS/);
    expect(() => loadSinkEnv({ ...secrets, SINK_DEAD_LETTER_INFRASTRUCTURE_FAILURES: 'maybe' })).toThrow(/SINK_DEAD_LETTER_INFRASTRUCTURE_FAILURES/);
    expect(() => loadSinkEnv({ ...secrets, SINK_OLDER_REVISION: 'drop' })).toThrow(/SINK_OLDER_REVISION.*expected one of dlq, skip/s);
  });
});
