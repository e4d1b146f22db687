// Schema ids must survive a registry restart, or records already in Kafka become unreadable.
// A scratch registry (own MESH_STACK_HOME, own port, same PostgreSQL) is stopped and started
// again between registering a schema and reading it back by id.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@ingest-mesh/testing';

const root = path.resolve(import.meta.dirname, '../../..');
const stackSh = path.join(root, 'tools/stack/stack.sh');
const home = mkdtempSync(path.join(os.tmpdir(), 'mesh-registry-'));
chmodSync(home, 0o755);

function stack(env: Record<string, string>, ...args: string[]) {
  const res = spawnSync('bash', [stackSh, ...args], {
    encoding: 'utf8',
    timeout: 180_000,
    env: {
      ...process.env,
      ...env,
      MESH_STACK_HOME: home,
      // Reuse the unpacked registry of the main stack home instead of unpacking it again.
      MESH_STACK_ARTIFACTS: path.join(process.env.MESH_STACK_HOME ?? path.join(root, '.stack'), 'artifacts'),
    },
  });
  if (res.status !== 0) throw new Error(`stack.sh ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

afterAll(() => {
  spawnSync('bash', [stackSh, 'down'], { env: { ...process.env, MESH_STACK_HOME: home } });
  rmSync(home, { recursive: true, force: true });
});

describe('schema registry restart', () => {
  it('serves the same schema under the same id after a restart, and never reuses an id', async () => {
    const url = `http://127.0.0.1:${await freePort()}/apis/ccompat/v7`;
    const env = { SCHEMA_REGISTRY_URL: url };
    expect(stack(env, 'up', 'registry')).toContain(`stack: registry: started (${url})`);

    const tag = randomUUID().replaceAll('-', '');
    const schema = (name: string) => ({
      type: SchemaType.AVRO as const,
      schema: JSON.stringify({ type: 'record', name, namespace: 'mesh.restart', fields: [{ name: 'id', type: 'string' }] }),
    });
    const before = new SchemaRegistry({ host: url });
    const { id } = await before.register(schema(`Before${tag}`), { subject: `restart-${tag}-value` });
    const encoded = await before.encode(id, { id: 'kept' });

    stack(env, 'down', 'registry');
    expect(stack(env, 'up', 'registry')).toContain(`stack: registry: started (${url})`);

    const after = new SchemaRegistry({ host: url }); // empty cache: everything comes from the server
    expect(await after.getSchema(id)).toMatchObject({ name: `mesh.restart.Before${tag}` });
    expect(await after.decode(encoded)).toEqual({ id: 'kept' });
    const next = await after.register(schema(`After${tag}`), { subject: `restart-${tag}-value-2` });
    expect(next.id).toBeGreaterThan(id);
  });
});
