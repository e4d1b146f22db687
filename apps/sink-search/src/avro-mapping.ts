// Avro schema JSON (as the registry stores it) → OpenSearch mapping properties, so the engine
// stops guessing field types: a timestamp-millis guessed as `long`, or an id guessed as `text`,
// can never be corrected on an existing index. Pure: no I/O. The rules, and why:
//
// - string → `text` with a `keyword` sub-field (ignore_above 256): full-text search on the field,
//   exact match / sort / aggregations on `<field>.keyword`. Fields named `id`, `…Id`, `…_id` (and
//   the plural `…Ids`, `…_ids`) and `uuid` strings → `keyword` only: identifiers are matched
//   exactly, never tokenized.
// - enum → keyword. boolean → boolean. int/long → long (one type, so promoting an int to a long
//   in a later schema version does not conflict). float/double → double. bytes/fixed → binary
//   (the document carries base64).
// - timestamp-millis / local-timestamp-millis → date, format `strict_date_optional_time||epoch_millis`:
//   the document holds epoch milliseconds, and range queries may still be written with ISO dates.
// - timestamp-micros, date (days), time-millis/-micros → long: they arrive as plain numbers in a
//   unit no engine date format reads (a date mapping would take them as milliseconds).
// - decimal → keyword: libs/avro registers no decimal type, so the document holds the unscaled
//   bytes as base64 — kept as is, and still valid once decimals are decoded as decimal strings,
//   whereas scaled_float would refuse both.
// - record → object with its properties; array → its items' mapping (an array of records is an
//   `object`, not `nested`: queries stay plain); map → `flat_object` (OpenSearch): one mapped
//   field however many keys the data brings, values searchable as keywords (`attrs.key`).
// - [null, X] → X. Unions with several non-null branches → omitted, left to dynamic mapping:
//   avsc may wrap their values ({"long": 5}), and no single type fits every branch.
// - A recursive reference (a record containing itself) → omitted (dynamic).
import { MESH_FIELD } from './document.js';

export interface FieldMapping {
  type?: string;
  format?: string;
  ignore_above?: number;
  fields?: Record<string, FieldMapping>;
  properties?: Record<string, FieldMapping>;
}

export type MappingProperties = Record<string, FieldMapping>;

export const KEYWORD_IGNORE_ABOVE = 256;
export const DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

const KEYWORD: FieldMapping = { type: 'keyword' };
const TEXT: FieldMapping = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE } } };
const DATE: FieldMapping = { type: 'date', format: DATE_FORMAT };
const ID_NAME = /^id$|Ids?$|_ids?$/;

/** The envelope every document carries under `@mesh` (document.ts); occurredAt is an ISO string. */
export const MESH_PROPERTIES: MappingProperties = {
  tenant: KEYWORD,
  source: KEYWORD,
  entityType: KEYWORD,
  id: KEYWORD,
  revision: { type: 'long' },
  occurredAt: DATE,
};

/** The properties of an entity's document: its record's fields, and `@mesh`. */
export function documentProperties(schema: unknown): MappingProperties {
  return { ...avroProperties(schema), [MESH_FIELD]: { properties: structuredClone(MESH_PROPERTIES) } };
}

/** The mapped fields of a record schema ({} for anything else). Fields that map to nothing are left out. */
export function avroProperties(schema: unknown): MappingProperties {
  const walker = new Walker();
  const mapped = walker.map(schema, undefined, '');
  // A copy: the rules share their constant mappings, callers may merge into the result.
  return structuredClone(mapped?.properties ?? {});
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Walker {
  /** Named types by full name, as defined so far (Avro: a name is defined before it is referenced). */
  private readonly named = new Map<string, Json>();
  /** Records being mapped: a reference to one of them is recursion. */
  private readonly inProgress = new Set<string>();

  map(schema: unknown, namespace: string | undefined, fieldName: string): FieldMapping | undefined {
    if (typeof schema === 'string') return this.mapName(schema, namespace, fieldName);
    if (Array.isArray(schema)) return this.mapUnion(schema, namespace, fieldName);
    if (!isObject(schema)) return undefined;
    const { type } = schema;
    // {"type": {...}} / {"type": [...]}: the annotation wraps a complete schema.
    if (typeof type !== 'string') return this.map(type, namespace, fieldName);
    const logical = typeof schema.logicalType === 'string' ? logicalMapping(schema.logicalType, type) : undefined;
    switch (type) {
      case 'record':
      case 'error':
        return this.mapRecord(schema, namespace);
      case 'enum':
        this.define(schema, namespace);
        return KEYWORD;
      case 'fixed':
        this.define(schema, namespace);
        return logical ?? { type: 'binary' };
      case 'array':
        return this.map(schema.items, namespace, fieldName);
      case 'map':
        return { type: 'flat_object' };
      default:
        return logical ?? this.mapName(type, namespace, fieldName);
    }
  }

  private mapName(name: string, namespace: string | undefined, fieldName: string): FieldMapping | undefined {
    const primitive = primitiveMapping(name, fieldName);
    if (primitive !== null) return primitive;
    const full = this.resolve(name, namespace);
    if (full === undefined || this.inProgress.has(full)) return undefined;
    const definition = this.named.get(full)!;
    return this.map(definition, namespaceOf(full), fieldName);
  }

  private mapUnion(branches: unknown[], namespace: string | undefined, fieldName: string): FieldMapping | undefined {
    const nonNull = branches.filter((b) => b !== 'null' && !(isObject(b) && b.type === 'null'));
    // Named types defined inside a union must still be known to later references.
    if (nonNull.length !== 1) {
      for (const branch of nonNull) this.map(branch, namespace, fieldName);
      return undefined;
    }
    return this.map(nonNull[0], namespace, fieldName);
  }

  private mapRecord(schema: Json, namespace: string | undefined): FieldMapping {
    const full = this.define(schema, namespace);
    const inner = full === undefined ? namespace : namespaceOf(full);
    if (full !== undefined) this.inProgress.add(full);
    const properties: MappingProperties = {};
    for (const field of Array.isArray(schema.fields) ? schema.fields : []) {
      if (!isObject(field) || typeof field.name !== 'string') continue;
      const mapped = this.map(field.type, inner, field.name);
      if (mapped !== undefined) properties[field.name] = mapped;
    }
    if (full !== undefined) this.inProgress.delete(full);
    return { properties };
  }

  /** Registers a named type; returns its full name. */
  private define(schema: Json, namespace: string | undefined): string | undefined {
    if (typeof schema.name !== 'string') return undefined;
    const ns = typeof schema.namespace === 'string' && schema.namespace !== '' ? schema.namespace : namespace;
    const full = schema.name.includes('.') || ns === undefined ? schema.name : `${ns}.${schema.name}`;
    this.named.set(full, schema);
    return full;
  }

  private resolve(name: string, namespace: string | undefined): string | undefined {
    for (const candidate of name.includes('.') ? [name] : [namespace === undefined ? name : `${namespace}.${name}`, name]) {
      if (this.named.has(candidate)) return candidate;
    }
    return undefined;
  }
}

function namespaceOf(fullName: string): string | undefined {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? undefined : fullName.slice(0, dot);
}

/** A primitive's mapping; undefined for `null` (nothing to map), null when `name` is not a primitive. */
function primitiveMapping(name: string, fieldName: string): FieldMapping | undefined | null {
  switch (name) {
    case 'null':
      return undefined;
    case 'string':
      return ID_NAME.test(fieldName) ? KEYWORD : TEXT;
    case 'boolean':
      return { type: 'boolean' };
    case 'int':
    case 'long':
      return { type: 'long' };
    case 'float':
    case 'double':
      return { type: 'double' };
    case 'bytes':
      return { type: 'binary' };
    default:
      return null;
  }
}

/** A logical type's mapping when it differs from its underlying type's. */
function logicalMapping(logicalType: string, underlying: string): FieldMapping | undefined {
  switch (logicalType) {
    case 'timestamp-millis':
    case 'local-timestamp-millis':
      return underlying === 'long' ? DATE : undefined;
    case 'uuid':
    case 'decimal':
      return KEYWORD;
    default:
      // timestamp-micros, date, time-*: plain numbers in units no date format reads → their underlying type.
      return undefined;
  }
}
