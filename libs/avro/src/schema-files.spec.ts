import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '@ingest-mesh/reason-codes';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSchema } from './parse-schema.js';
import { DEFAULT_SCHEMAS_DIR, readSchemaFiles } from './schema-files.js';

const dirs: string[] = [];

async function schemasDir(entities: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'avro-schemas-'));
  dirs.push(dir);
  await mkdir(path.join(dir, 'entities'));
  await mkdir(path.join(dir, 'mesh'));
  for (const [name, text] of Object.entries(entities)) await writeFile(path.join(dir, 'entities', name), text);
  for (const name of ['SinkRecord.avsc', 'RawEnvelope.avsc']) {
    await writeFile(path.join(dir, 'mesh', name), JSON.stringify({ type: 'record', name: name.replace('.avsc', ''), namespace: 'mesh', fields: [] }));
  }
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('readSchemaFiles', () => {
  it("maps the repository's schemas to their subjects", async () => {
    const files = await readSchemaFiles();
    expect(files.map((f) => f.subject)).toEqual(['entity.customer', 'entity.order', 'mesh.SinkRecord', 'mesh.RawEnvelope']);
    expect(files.every((f) => f.file.startsWith(DEFAULT_SCHEMAS_DIR))).toBe(true);
    for (const f of files) expect(() => parseSchema(f.schema)).not.toThrow();
  });

  it('registers compact JSON, so reformatting a file is not a new version', async () => {
    const record = { type: 'record', name: 'Widget', fields: [{ name: 'id', type: 'string' }] };
    const pretty = await readSchemaFiles(await schemasDir({ 'widget.avsc': JSON.stringify(record, null, 2) }));
    const compact = await readSchemaFiles(await schemasDir({ 'widget.avsc': JSON.stringify(record) }));
    expect(pretty[0]).toMatchObject({ subject: 'entity.widget', schema: JSON.stringify(record) });
    expect(pretty[0]?.schema).toBe(compact[0]?.schema);
  });

  it('ignores files that are not .avsc', async () => {
    const files = await readSchemaFiles(await schemasDir({ 'README.md': '# not a schema' }));
    expect(files.map((f) => f.subject)).toEqual(['mesh.SinkRecord', 'mesh.RawEnvelope']);
  });

  it('refuses an invalid schema with a ValidationError naming the file', async () => {
    const dir = await schemasDir({ 'broken.avsc': '{"type":"record","name":"B","fields":[{"name":"x","type":"nope"}]}' });
    const err = await readSchemaFiles(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: path.join(dir, 'entities', 'broken.avsc'), rule: 'avro-schema' });
    await expect(readSchemaFiles(await schemasDir({ 'text.avsc': 'not json' }))).rejects.toThrow(/text.avsc is not a valid Avro schema/);
  });

  it('refuses a file name that is no entity type', async () => {
    await expect(readSchemaFiles(await schemasDir({ 'Bad-Name.avsc': '"string"' }))).rejects.toThrow(/entityType "Bad-Name" must match/);
  });
});
