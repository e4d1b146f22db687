// Where a column's value comes from in the decoded entity: `email`, `address.zip`, `items[0].sku`.
// Parsed once when tables.yaml loads; resolved per record without allocation-heavy tricks.

export type FieldSegment = string | number;

const PART = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/;
const INDEX = /\[(\d+)\]/g;

/** Parses a field path; throws an Error saying what is wrong with it. */
export function parseFieldPath(path: string): FieldSegment[] {
  if (path.length === 0) throw new Error('empty field path');
  const segments: FieldSegment[] = [];
  for (const part of path.split('.')) {
    const match = PART.exec(part);
    if (!match) {
      throw new Error(`"${path}" is not a field path: "${part}" should be an Avro field name (letters, digits, _) optionally followed by [n]`);
    }
    segments.push(match[1]!);
    for (const idx of match[2]!.matchAll(INDEX)) segments.push(Number(idx[1]));
  }
  return segments;
}

/** The value at `segments` in `root`; undefined when the path leads nowhere. */
export function resolveFieldPath(root: unknown, segments: readonly FieldSegment[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      value = Array.isArray(value) ? (value as unknown[])[segment] : undefined;
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, segment)) {
      value = (value as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return value;
}
