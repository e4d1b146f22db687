// Against the real registry: the repository's schemas register idempotently under their
// subjects; a compatible change is a new version, an incompatible one a SchemaDriftError.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConnectionError, SchemaDriftError } from '@ingest-mesh/reason-codes';
import { afterAll, describe, expect, it } from 'vitest';
import { registerSchema, registerSchemas } from './register-schemas.js';
import { REGISTRY_URL, deleteSubjects, uniqueEntityType } from './test-support/registry-subjects.js';
import { entitySubject } from './subjects.js';

const registry = new SchemaRegistry({ host: REGISTRY_URL });
const subject = entitySubject(uniqueEntityType('register'));
const file = (fields: object[]) => ({
  subject,
  file: `test/${subject}.avsc`,
  schema: JSON.stringify({ type: 'record', name: 'Gadget', namespace: 'itest', fields }),
});

afterAll(async () => {
  await deleteSubjects([subject]);
});

describe('registerSchemas on the real registry', () => {
  it('registers every repository schema under its subject, and again with the same ids and versions', async () => {
    const first = await registerSchemas(registry);
    expect(first.map((r) => r.subject)).toEqual(['entity.customer', 'entity.order', 'mesh.SinkRecord', 'mesh.RawEnvelope']);
    for (const r of first) {
      expect(Number.isInteger(r.id)).toBe(true);
      expect(r.version).toBeGreaterThanOrEqual(1);
    }
    expect(await registerSchemas(registry)).toEqual(first);
  });

  it('makes a compatible change a new version, keeps an unchanged schema, and refuses an incompatible one', async () => {
    const v1 = await registerSchema(registry, file([{ name: 'id', type: 'string' }]));
    expect(v1).toMatchObject({ subject, version: 1 });
    expect(await registerSchema(registry, file([{ name: 'id', type: 'string' }]))).toEqual(v1);
    const v2 = await registerSchema(
      registry,
      file([
        { name: 'id', type: 'string' },
        { name: 'n', type: 'int', default: 0 },
      ]),
    );
    expect(v2).toMatchObject({ subject, version: 2 });
    expect(v2.id).not.toBe(v1.id);
    const err = await registerSchema(registry, file([{ name: 'id', type: 'long' }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaDriftError);
    expect((err as Error).message).toMatch(new RegExp(`the registry refuses test/${subject}.avsc under ${subject}`));
  });

  it('throws a retryable ConnectionError when the registry cannot be reached', async () => {
    const down = new SchemaRegistry({ host: 'http://127.0.0.1:1' });
    const err = await registerSchemas(down).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ retryable: true });
  });
});
