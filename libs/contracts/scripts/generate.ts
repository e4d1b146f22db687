// Writes libs/contracts/src/generated.ts from schemas/mesh/*.avsc (`npx nx run contracts:generate`).
// src/generated.spec.ts fails whenever the checked-in file and the schemas disagree.
import { writeFileSync } from 'node:fs';
import { GENERATED_FILE, generateContracts } from '../src/codegen/mesh-schemas.js';

writeFileSync(GENERATED_FILE, generateContracts());
console.log(`wrote ${GENERATED_FILE}`);
