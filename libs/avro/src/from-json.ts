// JSON → Avro value for a Type, with every problem reported at its field path. Records take
// their schema defaults for missing fields and refuse fields they do not declare (unless
// extraFields: 'ignore'); the leaf and union rules are in json-scalars.ts and json-union.ts.
import { ConversionContext, type FieldError, type FromJsonOptions } from './json-context.js';
import { describeValue, fieldPath, indexPath, isPlainObject, keyPath, typeLabel } from './json-describe.js';
import { convertLeaf } from './json-scalars.js';
import { convertUnion } from './json-union.js';
import type { AvroType } from './parse-schema.js';

export type { FieldError, FromJsonOptions } from './json-context.js';

export type FromJsonResult = { ok: true; value: unknown } | { ok: false; errors: FieldError[] };

interface AvroField {
  name: string;
  type: AvroType;
  defaultValue(): unknown;
}

/** Own enumerable property, safe for keys such as `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function convertRecord(type: AvroType, json: unknown, path: string, ctx: ConversionContext): unknown {
  if (!isPlainObject(json)) {
    ctx.add(path, `expected ${typeLabel(type)}, got ${describeValue(json)}`);
    return undefined;
  }
  const fields = (type as unknown as { fields: AvroField[] }).fields;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const path_ = fieldPath(path, field.name);
    const given = Object.hasOwn(json, field.name) ? json[field.name] : undefined;
    if (given !== undefined) {
      setOwn(out, field.name, convert(field.type, given, path_, ctx));
      continue;
    }
    const fallback = field.defaultValue();
    if (fallback === undefined) ctx.add(path_, 'required field missing');
    else setOwn(out, field.name, fallback);
  }
  if (ctx.extraFields === 'reject') {
    const declared = new Set(fields.map((f) => f.name));
    for (const key of Object.keys(json)) {
      if (!declared.has(key)) ctx.add(keyPath(path, key), `unknown field (not in ${type.name ?? 'the record'}; extra fields are rejected)`);
    }
  }
  return out;
}

function convertArray(type: AvroType, json: unknown, path: string, ctx: ConversionContext): unknown {
  if (!Array.isArray(json)) {
    ctx.add(path, `expected array, got ${describeValue(json)}`);
    return undefined;
  }
  const items = (type as unknown as { itemsType: AvroType }).itemsType;
  return json.map((item, i) => convert(items, item, indexPath(path, i), ctx));
}

function convertMap(type: AvroType, json: unknown, path: string, ctx: ConversionContext): unknown {
  if (!isPlainObject(json)) {
    ctx.add(path, `expected ${typeLabel(type)}, got ${describeValue(json)}`);
    return undefined;
  }
  const values = (type as unknown as { valuesType: AvroType }).valuesType;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) setOwn(out, key, convert(values, value, keyPath(path, key), ctx));
  return out;
}

function convert(type: AvroType, json: unknown, path: string, ctx: ConversionContext): unknown {
  const leaf = convertLeaf(type, json);
  if (leaf !== undefined) {
    if (leaf.ok) return leaf.value;
    ctx.add(path, leaf.problem);
    return undefined;
  }
  switch (type.typeName) {
    case 'record':
    case 'error':
      return convertRecord(type, json, path, ctx);
    case 'array':
      return convertArray(type, json, path, ctx);
    case 'map':
      return convertMap(type, json, path, ctx);
    case 'union:wrapped':
    case 'union:unwrapped':
      return convertUnion(type, json, path, ctx, convert);
    default:
      if (type.typeName.startsWith('logical:')) {
        // A logical type without JSON rules of its own: its underlying type's rules apply.
        return convert((type as unknown as { underlyingType: AvroType }).underlyingType, json, path, ctx);
      }
      ctx.add(path, `unsupported Avro type ${type.typeName}`);
      return undefined;
  }
}

/**
 * Converts parsed JSON into the Avro value `type` encodes, or lists every problem with its
 * field path. See libs/avro/README.md for the rules (defaults, unions, bytes, timestamps).
 */
export function fromJson(type: AvroType, json: unknown, opts: FromJsonOptions = {}): FromJsonResult {
  const ctx = new ConversionContext(opts);
  const value = convert(type, json, '', ctx);
  return ctx.ok ? { ok: true, value } : { ok: false, errors: ctx.errors };
}
