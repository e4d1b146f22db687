// Avro schemas → TypeScript declarations of the values as avsc reads and writes them: records
// become interfaces, enums string-literal unions plus a const array of their symbols, long and
// int numbers (timestamp-millis too: epoch ms), bytes Buffer, ["null", T] `T | null`, maps
// Record<string, T>, arrays T[]. Named types are declared once, however often they are inlined.
// Pure: no file I/O (scripts/generate.ts writes the result, a spec compares it).

type AvroType = string | AvroType[] | { type: string; name?: string; namespace?: string; [key: string]: unknown };

interface AvroField {
  name: string;
  type: AvroType;
  doc?: string;
  default?: unknown;
}

const PRIMITIVES: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

export interface SchemaSource {
  /** Where it comes from, for the header comment (e.g. schemas/mesh/SinkRecord.avsc). */
  file: string;
  schema: AvroType;
}

/** The TypeScript module declaring every named type of the schemas, in order of first appearance. */
export function avroToTypeScript(sources: readonly SchemaSource[], header: string): string {
  const declared = new Map<string, string>();
  const order: string[] = [];
  const declare = (name: string, text: string) => {
    if (declared.has(name)) return;
    declared.set(name, text);
    order.push(name);
  };

  const typeOf = (t: AvroType): string => {
    if (typeof t === 'string') return PRIMITIVES[t] ?? shortName(t);
    if (Array.isArray(t)) return t.map(typeOf).join(' | ');
    switch (t.type) {
      case 'record':
        return declareRecord(t);
      case 'enum':
        return declareEnum(t);
      case 'map':
        return `Record<string, ${typeOf(t['values'] as AvroType)}>`;
      case 'array': {
        const item = typeOf(t['items'] as AvroType);
        return item.includes('|') ? `(${item})[]` : `${item}[]`;
      }
      case 'fixed':
        return 'Buffer';
      default:
        return typeOf(t.type);
    }
  };

  const declareRecord = (t: Exclude<AvroType, string | AvroType[]>): string => {
    const name = shortName(t.name!);
    const fields = (t['fields'] as AvroField[]).map((f) => `${docComment(fieldDoc(f), '  ')}  ${f.name}: ${typeOf(f.type)};`);
    declare(name, `${docComment(t['doc'] as string | undefined, '')}export interface ${name} {\n${fields.join('\n')}\n}`);
    return name;
  };

  const declareEnum = (t: Exclude<AvroType, string | AvroType[]>): string => {
    const name = shortName(t.name!);
    const symbols = t['symbols'] as string[];
    const constName = `${screamingSnake(name)}_SYMBOLS`;
    declare(
      name,
      `${docComment(t['doc'] as string | undefined, '')}export const ${constName} = [${symbols.map((s) => `'${s}'`).join(', ')}] as const;\n` +
        `export type ${name} = (typeof ${constName})[number];`,
    );
    return name;
  };

  for (const source of sources) typeOf(source.schema);
  const files = sources.map((s) => `//   ${s.file}`).join('\n');
  return `${header}\n// Generated from:\n${files}\n\n${order.map((n) => declared.get(n)).join('\n\n')}\n`;
}

function fieldDoc(f: AvroField): string | undefined {
  const logical = typeof f.type === 'object' && !Array.isArray(f.type) ? (f.type['logicalType'] as string | undefined) : undefined;
  const notes = [f.doc, logical === 'timestamp-millis' ? 'Epoch milliseconds.' : undefined].filter(Boolean);
  return notes.length > 0 ? notes.join(' ') : undefined;
}

function docComment(doc: string | undefined, indent: string): string {
  return doc ? `${indent}/** ${doc.replaceAll('*/', '*\\/')} */\n` : '';
}

function shortName(fullName: string): string {
  return fullName.split('.').pop()!;
}

function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
