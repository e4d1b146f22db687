// Field paths of data-quality rules: `email`, `address.zip`, `items[2].qty`, `items[*].sku`.
// Parsed once when the config loads; resolved against a payload to the values they name.

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'each' };

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[(?:\d+|\*)\])*)$/;
const INDEX = /\[(\d+|\*)\]/g;

/** Parses a field path; throws an Error saying what is wrong with it. */
export function parseFieldPath(path: string): PathSegment[] {
  if (path.length === 0) throw new Error('empty field path');
  const segments: PathSegment[] = [];
  for (const part of path.split('.')) {
    const match = SEGMENT.exec(part);
    if (!match) {
      throw new Error(
        `"${path}" is not a field path: "${part}" should be a field name (letters, digits, _) optionally followed by [n] or [*]`,
      );
    }
    segments.push({ kind: 'key', key: match[1]! });
    for (const idx of match[2]!.matchAll(INDEX)) {
      const token = idx[1]!;
      if (token === '*') segments.push({ kind: 'each' });
      else segments.push({ kind: 'index', index: Number(token) });
    }
  }
  return segments;
}

export interface ResolvedValue {
  /** Concrete path of the value, `[*]` replaced by the element's index. */
  path: string;
  /** undefined when the path leads nowhere (a field missing, an index past the end). */
  value: unknown;
}

/**
 * The values a path names in `root`. A path without `[*]` names exactly one (possibly
 * undefined) value; `[*]` fans out over the elements of an array (none when it is absent).
 */
export function resolveFieldPath(root: unknown, segments: readonly PathSegment[]): ResolvedValue[] {
  let current: ResolvedValue[] = [{ path: '', value: root }];
  for (const segment of segments) {
    const next: ResolvedValue[] = [];
    for (const { path, value } of current) {
      if (segment.kind === 'key') {
        next.push({ path: path === '' ? segment.key : `${path}.${segment.key}`, value: property(value, segment.key) });
      } else if (segment.kind === 'index') {
        const element = Array.isArray(value) ? (value as unknown[])[segment.index] : undefined;
        next.push({ path: `${path}[${segment.index}]`, value: element });
      } else if (Array.isArray(value)) {
        (value as unknown[]).forEach((element, i) => next.push({ path: `${path}[${i}]`, value: element }));
      } else if (value !== undefined && value !== null) {
        // Not an array where the path expects one: report it as the one (missing) element.
        next.push({ path: `${path}[*]`, value: undefined });
      }
    }
    current = next;
  }
  return current;
}

function property(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (value instanceof Map) return value.get(key);
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}
