// Which schema files go to which subject: schemas/entities/<entityType>.avsc → entity.<entityType>,
// schemas/mesh/SinkRecord.avsc and RawEnvelope.avsc → their own subjects. (The other files in
// schemas/mesh are registered by the libs that own them, under their topics' subjects.)
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@ingest-mesh/reason-codes';
import { parseSchema } from './parse-schema.js';
import { RAW_ENVELOPE_SUBJECT, SINK_RECORD_SUBJECT, entitySubject } from './subjects.js';

/** src/ and dist/ sit at the same depth, so this is <repo>/schemas from both. */
export const DEFAULT_SCHEMAS_DIR = fileURLToPath(new URL('../../../schemas', import.meta.url));

export const MESH_SCHEMA_FILES: Readonly<Record<string, string>> = Object.freeze({
  [SINK_RECORD_SUBJECT]: 'mesh/SinkRecord.avsc',
  [RAW_ENVELOPE_SUBJECT]: 'mesh/RawEnvelope.avsc',
});

export interface SchemaFile {
  subject: string;
  file: string;
  /** The schema as compact JSON: formatting changes in the file do not make new versions. */
  schema: string;
}

const SCHEMA_EXTENSION = '.avsc';

async function entityFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(dir, 'entities'), { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(SCHEMA_EXTENSION))
    .map((e) => e.name)
    .sort();
}

/** ValidationError (field = the file) when a file is not a valid Avro schema. */
async function load(subject: string, file: string): Promise<SchemaFile> {
  const text = await readFile(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    parseSchema(parsed as object);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ValidationError(`${file} is not a valid Avro schema: ${reason}`, { field: file, rule: 'avro-schema', cause: err });
  }
  return { subject, file, schema: JSON.stringify(parsed) };
}

/** Every schema under `dir` with its subject, entities first (sorted by name). */
export async function readSchemaFiles(dir: string = DEFAULT_SCHEMAS_DIR): Promise<SchemaFile[]> {
  const entities = (await entityFiles(dir)).map((name) => ({
    subject: entitySubject(name.slice(0, -SCHEMA_EXTENSION.length)),
    file: path.join(dir, 'entities', name),
  }));
  const mesh = Object.entries(MESH_SCHEMA_FILES).map(([subject, rel]) => ({ subject, file: path.join(dir, rel) }));
  return Promise.all([...entities, ...mesh].map(({ subject, file }) => load(subject, file)));
}
