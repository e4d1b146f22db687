import { describe, expect, it } from 'vitest';
import { tablesOf } from './postgres.js';
import { judgeEvictionPolicy } from './redis.js';
import { checkSecrets } from './secrets.js';
import { expectedTopics, judgeTopic } from './topics.js';
import { reason } from './types.js';

describe('checkSecrets', () => {
  it('passes long-enough secrets without showing them, fails missing or short ones by name', () => {
    const rows = checkSecrets({ MESH_CONTROL_SECRET: 'c'.repeat(32), MESH_ADMIN_TOKEN: 'short' });
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['MESH_CONTROL_SECRET', 'pass'],
      ['MESH_CONTROL_SECRET_PREVIOUS', 'skip'],
      ['MESH_ADMIN_TOKEN', 'fail'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('c'.repeat(32));
    expect(checkSecrets({})[0]).toMatchObject({ status: 'fail', detail: 'not set' });
    expect(checkSecrets({ MESH_CONTROL_SECRET: 's'.repeat(40), MESH_CONTROL_SECRET_PREVIOUS: 's'.repeat(40) })[1]).toMatchObject({
      status: 'fail',
      detail: 'same as MESH_CONTROL_SECRET',
    });
  });
});

describe('the expected topics', () => {
  it('are the shared ones plus sink.<x> per sink and dlq.<app> per app', () => {
    const topics = expectedTopics(['ingest-router', 'sink-postgres'], 3).map((t) => t.topic);
    expect(topics).toEqual([
      'mesh.control',
      'mesh.events',
      'mesh.routes',
      'ingest.raw',
      'ingest.deferred',
      'sink.postgres',
      'dlq.ingest-router',
      'dlq.sink-postgres',
    ]);
  });

  it('judge partitions and cleanup policy, naming what is wrong', () => {
    const [, , routes, raw] = expectedTopics([], 3);
    expect(judgeTopic(routes!, { partitions: 1, configs: { 'cleanup.policy': 'compact' } }).status).toBe('pass');
    expect(judgeTopic(routes!, { partitions: 3, configs: { 'cleanup.policy': 'delete' } })).toMatchObject({
      status: 'fail',
      detail: '3 partitions, want exactly 1; cleanup.policy=delete, want compact',
    });
    expect(judgeTopic(raw!, { partitions: 1, configs: {} })).toMatchObject({ status: 'fail', detail: '1 partitions, want at least 3' });
    expect(judgeTopic(raw!, undefined)).toMatchObject({ status: 'fail', detail: 'missing' });
  });
});

describe('tablesOf', () => {
  it("collects every table of sink-postgres's mapping", () => {
    expect(tablesOf({ entityTypes: { customer: { table: 'customers', columns: { table: { from: 'x' } } }, order: { table: 'orders' } } })).toEqual([
      'customers',
      'orders',
    ]);
  });
});

describe('judgeEvictionPolicy', () => {
  it('refuses allkeys-* (dedupe keys could be evicted)', () => {
    expect(judgeEvictionPolicy('noeviction').ok).toBe(true);
    expect(judgeEvictionPolicy('volatile-lru').ok).toBe(true);
    expect(judgeEvictionPolicy('allkeys-lru')).toMatchObject({ ok: false });
  });
});

describe('reason', () => {
  it('is one line without URL passwords', () => {
    expect(reason(new Error('connect postgres://u:hunter2@db:5432/x failed\nstack'))).toBe('connect postgres://u:***@db:5432/x failed');
  });
});
