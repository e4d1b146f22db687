// The checked-in contracts must be exactly what the schemas generate: change a schema, run
// `npx nx run contracts:generate`, commit both.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { avroToTypeScript } from './codegen/avro-to-ts.js';
import { GENERATED_FILE, generateContracts } from './codegen/mesh-schemas.js';
import { OPERATION_SYMBOLS, PRIORITY_SYMBOLS, REASON_CODE_SYMBOLS } from './generated.js';

describe('generated contracts', () => {
  it('match schemas/mesh/*.avsc (else run `npx nx run contracts:generate`)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generateContracts());
  });

  it('carry the enums with their symbols in schema order', () => {
    expect(PRIORITY_SYMBOLS).toEqual(['high', 'normal', 'low']);
    expect(OPERATION_SYMBOLS).toEqual(['upsert', 'delete']);
    expect(REASON_CODE_SYMBOLS).toContain('OLDER_REVISION');
  });

  it('map Avro types as avsc reads them, and declare a named type once', () => {
    const priority = { type: 'enum', name: 'mesh.Priority', symbols: ['high', 'low'] };
    const ts = avroToTypeScript(
      [
        {
          file: 'a.avsc',
          schema: {
            type: 'record',
            name: 'mesh.A',
            doc: 'An A.',
            fields: [
              { name: 'n', type: 'long' },
              { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
              { name: 'blob', type: ['null', 'bytes'] },
              { name: 'tags', type: { type: 'array', items: ['null', 'string'] } },
              { name: 'args', type: { type: 'map', values: 'string' } },
              { name: 'p', type: priority },
              { name: 'q', type: 'mesh.Priority' },
            ],
          },
        },
        { file: 'b.avsc', schema: { type: 'record', name: 'B', fields: [{ name: 'p', type: priority }] } },
      ],
      '// header',
    );
    expect(ts).toContain('/** An A. */\nexport interface A {');
    expect(ts).toContain('  n: number;');
    expect(ts).toContain('  /** Epoch milliseconds. */\n  at: number;');
    expect(ts).toContain('  blob: null | Buffer;');
    expect(ts).toContain('  tags: (null | string)[];');
    expect(ts).toContain('  args: Record<string, string>;');
    expect(ts).toContain('  p: Priority;\n  q: Priority;');
    expect(ts.match(/export type Priority/g)).toHaveLength(1);
    expect(ts.indexOf('export type Priority')).toBeLessThan(ts.indexOf('export interface A'));
  });
});
