import { ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { appsFromList, doctorConfig } from './config.js';
import { renderJson, renderTable } from './render.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('mesh CLI', () => {
  it('exits 2 with usage on no command, an unknown command or area', async () => {
    for (const argv of [[], ['heal'], ['doctor', '--only', 'kafka,dns'], ['doctor', '--min-partitions', '0']]) {
      const t = io();
      expect(await main(argv, {}, t.io), argv.join(' ')).toBe(2);
      expect(t.err.join('\n')).toContain('usage: mesh doctor');
    }
  });

  it('runs only the areas asked for and exits 1 when one fails', async () => {
    const t = io();
    expect(await main(['doctor', '--only', 'config', '--json'], { MESH_CONTROL_SECRET: 'x'.repeat(32) }, t.io)).toBe(1);
    const report = JSON.parse(t.out.join('')) as { ok: boolean; checks: { area: string; name: string; status: string }[] };
    expect(report.ok).toBe(false);
    expect(new Set(report.checks.map((c) => c.area))).toEqual(new Set(['config']));
    expect(report.checks.find((c) => c.status === 'fail')!.name).toBe('MESH_ADMIN_TOKEN');
  });

  it('exits 0 when every check asked for passes', async () => {
    const t = io();
    expect(await main(['doctor', '--only', 'config'], { MESH_CONTROL_SECRET: 'x'.repeat(32), MESH_ADMIN_TOKEN: 'a'.repeat(16) }, t.io)).toBe(0);
    expect(t.out.join('')).toContain('doctor: 2 pass, 0 fail, 1 skip');
  });
});

describe('doctorConfig', () => {
  it("reads the apps' variables with loopback defaults, and the apps of apps.list", () => {
    const c = doctorConfig({ KAFKA_BROKERS: 'a:1, b:2', MESH_CONTROL_TOPIC: 'ctl' }, '/nowhere', undefined);
    expect(c.brokers).toEqual(['a:1', 'b:2']);
    expect(c.topics.control).toBe('ctl');
    expect(c.registryUrl).toBe(ENDPOINT_DEFAULTS.SCHEMA_REGISTRY_URL);
    expect(c.apps).toContain('sink-postgres');
    expect(doctorConfig({ MESH_APPS: 'x, y' }, '/nowhere').apps).toEqual(['x', 'y']);
    expect(appsFromList('# c\ningest-router 8090\n\nsink-x 9300 # new\n')).toEqual(['ingest-router', 'sink-x']);
  });
});

describe('rendering', () => {
  const rows = [
    { area: 'kafka', name: 'broker', status: 'fail' as const, detail: '127.0.0.1:1: ECONNREFUSED' },
    { area: 'topic', name: 'mesh.control', status: 'skip' as const, detail: 'not checked' },
  ];
  it('aligns a table and ends with the counts', () => {
    const text = renderTable(rows);
    expect(text.split('\n')[0]).toBe('AREA   CHECK         STATUS  DETAIL');
    expect(text).toContain('kafka  broker        FAIL    127.0.0.1:1: ECONNREFUSED');
    expect(text.endsWith('doctor: 0 pass, 1 fail, 1 skip')).toBe(true);
  });
  it('gives scripts JSON with ok and the rows', () => {
    expect(JSON.parse(renderJson(rows))).toMatchObject({ ok: false, summary: { pass: 0, fail: 1, skip: 1 }, checks: rows });
  });
});
