// Which schemas make the contracts, and where the generated module lives. Used by
// scripts/generate.ts (writes it) and generated.spec.ts (compares it); not part of the lib's API.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { avroToTypeScript } from './avro-to-ts.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

/** In dependency order: ReasonCode first, records after the enums they share. */
export const MESH_SCHEMA_FILES = ['ReasonCode.avsc', 'RawEnvelope.avsc', 'SinkRecord.avsc', 'ControlCommand.avsc', 'MeshEvent.avsc'].map(
  (f) => `schemas/mesh/${f}`,
);

export const GENERATED_FILE = path.join(REPO_ROOT, 'libs/contracts/src/generated.ts');

const HEADER = `// GENERATED from the Avro schemas by \`npx nx run contracts:generate\`: do not edit by hand.
// The values as avsc reads and writes them (timestamp-millis as epoch ms numbers, bytes as Buffer).`;

export function generateContracts(): string {
  return avroToTypeScript(
    MESH_SCHEMA_FILES.map((file) => ({ file, schema: JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as never })),
    HEADER,
  );
}
