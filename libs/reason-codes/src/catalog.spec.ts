// The reason codes live in three places: codes.ts, docs/reason-codes.md and the Avro enum
// schemas/mesh/ReasonCode.avsc. This test fails, naming what is missing, when they drift.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { REASON_CODES, REASON_CODE_LIST } from './codes.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const docPath = path.join(repoRoot, 'docs/reason-codes.md');
const avscPath = path.join(repoRoot, 'schemas/mesh/ReasonCode.avsc');

interface DocRow {
  code: string;
  retryable: string;
  cells: string[];
}

/** Rows of the markdown table whose first cell is a `CODE`. */
function documentedRows(markdown: string): DocRow[] {
  return markdown
    .split('\n')
    .filter((line) => /^\|\s*`[A-Z_]+`\s*\|/.test(line))
    .map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return { code: (cells[0] ?? '').replaceAll('`', ''), retryable: cells[1] ?? '', cells };
    });
}

describe('docs/reason-codes.md', () => {
  const rows = documentedRows(readFileSync(docPath, 'utf8'));

  it('documents every code exactly once, and no code that does not exist', () => {
    const documented = rows.map((row) => row.code);
    expect(
      documented.filter((code) => !(code in REASON_CODES)),
      'documented but not in codes.ts',
    ).toEqual([]);
    expect(
      REASON_CODE_LIST.filter((code) => !documented.includes(code)),
      'in codes.ts but not documented',
    ).toEqual([]);
    expect(new Set(documented).size, 'a code documented twice').toBe(documented.length);
  });

  it("states each code's retryable flag as codes.ts has it", () => {
    const mismatches = rows
      .filter((row) => row.code in REASON_CODES)
      .filter((row) => row.retryable !== (REASON_CODES[row.code as keyof typeof REASON_CODES].retryable ? 'yes' : 'no'))
      .map((row) => `${row.code}: doc says "${row.retryable}"`);
    expect(mismatches).toEqual([]);
  });

  it('fills meaning, typical causes and operator action for every code', () => {
    const incomplete = rows.filter((row) => row.cells.length !== 5 || row.cells.some((cell) => cell === '')).map((row) => row.code);
    expect(incomplete).toEqual([]);
  });
});

describe('schemas/mesh/ReasonCode.avsc', () => {
  const schema = JSON.parse(readFileSync(avscPath, 'utf8')) as avro.schema.EnumType;

  it('is the Avro enum mesh.ReasonCode', () => {
    const type = avro.Type.forSchema(schema);
    expect(type.typeName).toBe('enum');
    expect(type.name).toBe('mesh.ReasonCode');
  });

  it('has every code as a symbol, and nothing else', () => {
    expect(
      schema.symbols.filter((symbol) => !(symbol in REASON_CODES)),
      'symbols that are not codes',
    ).toEqual([]);
    expect(
      REASON_CODE_LIST.filter((code) => !schema.symbols.includes(code)),
      'codes missing from the enum',
    ).toEqual([]);
    expect(new Set(schema.symbols).size).toBe(schema.symbols.length);
  });

  it('reads a symbol unknown to an older reader as INTERNAL_ERROR', () => {
    const newer = avro.Type.forSchema({ ...schema, symbols: [...schema.symbols, 'SOME_FUTURE_CODE'] });
    const older = avro.Type.forSchema(schema);
    const resolver = older.createResolver(newer);
    expect(older.fromBuffer(newer.toBuffer('SOME_FUTURE_CODE'), resolver)).toBe('INTERNAL_ERROR');
    expect(older.fromBuffer(newer.toBuffer('SINK_TIMEOUT'), resolver)).toBe('SINK_TIMEOUT');
  });
});
