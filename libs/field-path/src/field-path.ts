// Field paths into a decoded entity — one syntax for the whole mesh (the router's data-quality
// rules, sink-postgres's column mappings):
//
//   path  = name step*
//   step  = "." name          a field of a record (or an entry of a map)
//         | "[" digits "]"    one element of a list, counted from 0
//         | "[*]"             every element of a list
//   name  = [A-Za-z_][A-Za-z0-9_]*   (an Avro field name)
//
// e.g. `email`, `address.zip`, `items[0].sku`, `items[*].sku`, `matrix[1][2]`. Anything else is
// refused when the path is parsed (once, when a config loads) with a message that says what is
// wrong and where; resolving a parsed path never throws.

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'each' };

/** A path that is not in the syntax above, or that names several values where one is needed. */
export class FieldPathError extends Error {
  override readonly name = 'FieldPathError';

  constructor(
    message: string,
    /** The path as given. */
    readonly path: string,
    /** 'syntax': not a field path; 'many-values': a [*] path where one value is needed. */
    readonly problem: 'syntax' | 'many-values' = 'syntax',
  ) {
    super(message);
  }
}

const SYNTAX = 'field names (letters, digits, _) joined by ".", each optionally followed by [n] or [*], such as address.zip, items[0].sku, items[*].sku';
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WORD = /[A-Za-z0-9_]+/y;
const q = (text: string) => JSON.stringify(text);

/** Parses a field path; throws a FieldPathError saying what is wrong with it. */
export function parseFieldPath(path: string): PathSegment[] {
  if (typeof path !== 'string')
    throw new FieldPathError(`a field path must be a string, got ${path === null ? 'null' : typeof path} (expected ${SYNTAX})`, String(path));
  if (path.length === 0) throw new FieldPathError(`empty field path (expected ${SYNTAX})`, path);
  const refuse = (problem: string): never => {
    throw new FieldPathError(`${q(path)} is not a field path: ${problem} (expected ${SYNTAX})`, path);
  };
  const segments: PathSegment[] = [];
  let pos = 0;
  for (;;) {
    // A field name: at the start and after every ".".
    NAME.lastIndex = pos;
    const name = NAME.exec(path);
    if (name === null) refuse(nameMissing(path, pos));
    segments.push({ kind: 'key', key: name![0] });
    pos = NAME.lastIndex;
    // Its indexes.
    while (path[pos] === '[') {
      const close = path.indexOf(']', pos);
      if (close === -1) refuse(`the "[" at ${q(path.slice(pos))} is not closed`);
      segments.push(bracket(path.slice(pos + 1, close), refuse));
      pos = close + 1;
    }
    if (pos === path.length) return segments;
    if (path[pos] !== '.') {
      const after = q(path.slice(0, pos));
      refuse(
        path[pos - 1] === ']'
          ? `unexpected ${q(path[pos]!)} after ${after}: a "." comes before the next field name`
          : `unexpected ${q(path[pos]!)} after ${after}: field names have letters, digits and _ only`,
      );
    }
    pos += 1;
  }
}

/** Why there is no field name at `pos` (the start, or just after a "."). */
function nameMissing(path: string, pos: number): string {
  const c = path[pos];
  if (c === undefined) return 'it ends with "."';
  if (c === '.') return pos === 0 ? 'it starts with "."' : 'two dots in a row';
  if (c === '[')
    return pos === 0
      ? 'it starts with "[": a path starts with a field name, as in items[0]'
      : '"[" right after ".": an index follows its field name directly, as in items[0]';
  if (c === '*') return '"*" is not a field name: every element of a list is written [*], as in items[*].sku';
  if (/[0-9]/.test(c)) {
    WORD.lastIndex = pos;
    return `field name ${q(WORD.exec(path)![0])} starts with a digit`;
  }
  return `${q(c)} cannot start a field name (letters, digits and _ only, not starting with a digit)`;
}

function bracket(inner: string, refuse: (problem: string) => never): PathSegment {
  if (inner === '*') return { kind: 'each' };
  if (/^[0-9]+$/.test(inner)) {
    const index = Number(inner);
    if (!Number.isSafeInteger(index)) refuse(`index [${inner}] is too large`);
    return { kind: 'index', index };
  }
  if (inner === '') return refuse('"[]" needs an index or *, as in items[0] or items[*]');
  if (/^-[0-9]+$/.test(inner)) return refuse(`negative index [${inner}]: elements are counted from 0`);
  const quoted = /^(['"])([A-Za-z_][A-Za-z0-9_]*)\1$/.exec(inner);
  if (quoted) return refuse(`[${inner}] is not an index: a field or map key is written after a ".", as in .${quoted[2]}`);
  return refuse(`[${inner}] is neither an index (digits) nor [*]`);
}

/** True when the path has a [*]: it names one value per element of a list, not one value. */
export function namesManyValues(segments: readonly PathSegment[]): boolean {
  return segments.some((s) => s.kind === 'each');
}

/**
 * Parses a path where exactly one value is needed (a column, a key): the same syntax, and a
 * FieldPathError for a path with [*].
 */
export function parseSingleValuePath(path: string): PathSegment[] {
  const segments = parseFieldPath(path);
  if (namesManyValues(segments)) {
    throw new FieldPathError(
      `${q(path)} names one value per element of a list ([*]), but one value is needed here: use an index, as in ${path.replace('[*]', '[0]')}`,
      path,
      'many-values',
    );
  }
  return segments;
}

/** The path as text (the syntax above): formatFieldPath(parseFieldPath(p)) is p, leading zeros of indexes aside. */
export function formatFieldPath(segments: readonly PathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (segment.kind === 'key') text += text === '' ? segment.key : `.${segment.key}`;
    else if (segment.kind === 'index') text += `[${segment.index}]`;
    else text += '[*]';
  }
  return text;
}

export interface ResolvedValue {
  /** Concrete path of the value, `[*]` replaced by the element's index. */
  path: string;
  /** undefined when the path leads nowhere (a field missing, an index past the end). */
  value: unknown;
}

/**
 * The values a path names in `root`. A path without `[*]` names exactly one (possibly
 * undefined) value; `[*]` fans out over the elements of a list: none when the list is empty or
 * absent (undefined, null), one undefined value at `…[*]` when the value there is not a list.
 */
export function resolveFieldPath(root: unknown, segments: readonly PathSegment[]): ResolvedValue[] {
  let current: ResolvedValue[] = [{ path: '', value: root }];
  for (const segment of segments) {
    const next: ResolvedValue[] = [];
    for (const { path, value } of current) {
      if (segment.kind === 'key') {
        next.push({ path: path === '' ? segment.key : `${path}.${segment.key}`, value: property(value, segment.key) });
      } else if (segment.kind === 'index') {
        next.push({ path: `${path}[${segment.index}]`, value: element(value, segment.index) });
      } else if (Array.isArray(value)) {
        (value as unknown[]).forEach((item, i) => next.push({ path: `${path}[${i}]`, value: item }));
      } else if (value !== undefined && value !== null) {
        // Not a list where the path expects one: report it as the one (missing) element.
        next.push({ path: `${path}[*]`, value: undefined });
      }
    }
    current = next;
  }
  return current;
}

/**
 * The one value a path without [*] names in `root` (resolveFieldPath's only value, without
 * building it): undefined when the path leads nowhere. A path with [*] is a TypeError here —
 * parse such paths with parseSingleValuePath.
 */
export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (segment.kind === 'key') value = property(value, segment.key);
    else if (segment.kind === 'index') value = element(value, segment.index);
    else throw new TypeError(`${formatFieldPath(segments)} names one value per element of a list ([*]): use resolveFieldPath`);
    if (value === undefined) return undefined;
  }
  return value;
}

/** Own properties of a plain record only (never inherited ones such as constructor), and Map entries. */
function property(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (value instanceof Map) return value.get(key);
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function element(value: unknown, index: number): unknown {
  return Array.isArray(value) ? (value as unknown[])[index] : undefined;
}
