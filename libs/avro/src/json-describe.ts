// Paths and words for conversion problems: `items[2].qty`, `expected long, got "abc"`.
import type { AvroType } from './parse-schema.js';

const MAX_SHOWN_CHARS = 40;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function fieldPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** Map keys that are not identifiers are quoted: `attrs["a.b"]`. */
export function keyPath(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? fieldPath(parent, key) : `${parent}[${JSON.stringify(key)}]`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date);
}

/** A bounded rendering of a JSON value for a message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'array';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (value instanceof Date) return 'Date';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** What a JSON value for `type` must look like, in words. */
export function typeLabel(type: AvroType): string {
  const typeName = type.typeName;
  switch (typeName) {
    case 'bytes':
      return 'base64 string (bytes)';
    case 'fixed':
      return `base64 string of ${(type as unknown as { size: number }).size} bytes (fixed ${type.name ?? ''})`;
    case 'enum':
      return `one of ${(type as unknown as { symbols: string[] }).symbols.join('|')}`;
    case 'record':
    case 'error':
      return `object (record ${type.name ?? ''})`;
    case 'map':
      return 'object (map)';
    case 'logical:timestamp-millis':
      return 'timestamp-millis (ISO-8601 string with a zone, or epoch millis)';
    case 'union:wrapped':
    case 'union:unwrapped':
      return `one of ${(type as unknown as { types: AvroType[] }).types.map(typeLabel).join(' | ')}`;
    default:
      return typeName.startsWith('logical:') ? typeLabel((type as unknown as { underlyingType: AvroType }).underlyingType) : typeName;
  }
}
