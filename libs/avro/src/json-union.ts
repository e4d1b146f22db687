// Unions take the plain JSON value (null for a null branch, else the first other branch it
// converts to, in schema order) or the Avro-JSON wrapped form {"<branch>": value}, where the
// branch is its type name (`string`, `long`) or a named type's full or short name.
import type { ConversionContext, FieldError } from './json-context.js';
import { describeValue, isPlainObject, typeLabel } from './json-describe.js';
import type { AvroType } from './parse-schema.js';

export type Convert = (type: AvroType, json: unknown, path: string, ctx: ConversionContext) => unknown;

interface Attempt {
  branch: AvroType;
  errors: FieldError[];
}

function branchesOf(union: AvroType): AvroType[] {
  return (union as unknown as { types: AvroType[] }).types;
}

function branchName(branch: AvroType): string {
  return branch.branchName ?? branch.typeName;
}

function namesOf(branch: AvroType): string[] {
  const full = branchName(branch);
  const dot = full.lastIndexOf('.');
  return dot === -1 ? [full] : [full, full.slice(dot + 1)];
}

function toUnionValue(union: AvroType, branch: AvroType, value: unknown): unknown {
  if (union.typeName !== 'union:wrapped' || branch.typeName === 'null') return value;
  return { [branchName(branch)]: value };
}

/** Branches of the JSON value's kind (string, number, object…), to say precisely what is wrong. */
function kindFits(branch: AvroType, json: unknown): boolean {
  const name = branch.typeName;
  if (typeof json === 'string') return ['string', 'enum', 'bytes', 'fixed', 'logical:timestamp-millis'].includes(name);
  if (typeof json === 'number') return ['int', 'long', 'float', 'double', 'logical:timestamp-millis'].includes(name);
  if (typeof json === 'boolean') return name === 'boolean';
  if (Array.isArray(json)) return name === 'array';
  if (isPlainObject(json)) return ['record', 'error', 'map'].includes(name);
  return false;
}

function tryBranch(branch: AvroType, json: unknown, path: string, ctx: ConversionContext, convert: Convert): { value: unknown; errors: FieldError[] } {
  const sub = ctx.child();
  const value = convert(branch, json, path, sub);
  return { value, errors: sub.errors };
}

export function convertUnion(union: AvroType, json: unknown, path: string, ctx: ConversionContext, convert: Convert): unknown {
  const branches = branchesOf(union);
  if (json === null) {
    if (branches.some((b) => b.typeName === 'null')) return null;
    ctx.add(path, `expected ${typeLabel(union)}, got null`);
    return undefined;
  }
  let wrappedErrors: FieldError[] | undefined;
  if (isPlainObject(json)) {
    const keys = Object.keys(json);
    const branch = keys.length === 1 ? branches.find((b) => b.typeName !== 'null' && namesOf(b).includes(keys[0] as string)) : undefined;
    if (branch !== undefined) {
      const attempt = tryBranch(branch, json[keys[0] as string], path, ctx, convert);
      if (attempt.errors.length === 0) return toUnionValue(union, branch, attempt.value);
      wrappedErrors = attempt.errors;
    }
  }
  const failed: Attempt[] = [];
  for (const branch of branches) {
    if (branch.typeName === 'null') continue;
    const attempt = tryBranch(branch, json, path, ctx, convert);
    if (attempt.errors.length === 0) return toUnionValue(union, branch, attempt.value);
    failed.push({ branch, errors: attempt.errors });
  }
  const sameKind = failed.filter((a) => kindFits(a.branch, json));
  if (wrappedErrors !== undefined) ctx.addAll(wrappedErrors);
  else if (sameKind.length === 1) ctx.addAll((sameKind[0] as Attempt).errors);
  else ctx.add(path, `expected ${typeLabel(union)}, got ${describeValue(json)}`);
  return undefined;
}
