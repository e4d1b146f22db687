// From a record to the values of one table row: each column's source (payload field or envelope
// field) converted to what PostgreSQL's array input for the column type accepts. Conversion
// problems fail that one record before any SQL, naming the column and the field.
import { ConstraintViolationError, ValidationError } from '@ingest-mesh/reason-codes';
import { valueAt } from '@ingest-mesh/field-path';
import type { SinkRecordIn } from './sink-types.js';
import type { ColumnMapping, ColumnType, TableMapping } from './table-config.js';

/** What travels in the unnest arrays: numbers only for integer, text for everything else big. */
export type SqlValue = string | number | boolean | null;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Converts one value for a column of `type`; null/undefined → null. Throws an Error saying what was expected. */
export function toSqlValue(value: unknown, type: ColumnType): SqlValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'text':
      if (typeof value === 'string') return withoutNul(value);
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
      throw new Error(`expected a string, got ${describe(value)}`);
    case 'bigint':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'string' && INTEGER_TEXT.test(value)) return value;
      throw new Error(`expected an integer (a safe integer number, a bigint or a string of digits), got ${describe(value)}`);
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return value;
      throw new Error(`expected an integer from ${INT32_MIN} to ${INT32_MAX}, got ${describe(value)}`);
    case 'numeric':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'string' && NUMERIC_TEXT.test(value)) return value;
      throw new Error(`expected a finite number or a decimal string, got ${describe(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw new Error(`expected true or false, got ${describe(value)}`);
    case 'timestamptz':
      return toTimestamp(value);
    case 'jsonb':
      return toJson(value);
  }
}

function toTimestamp(value: unknown): string {
  let date: Date | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value);
  else if (value instanceof Date) date = value;
  else if (typeof value === 'string') date = new Date(value);
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new Error(`expected a timestamp (epoch milliseconds, a Date or an ISO-8601 string), got ${describe(value)}`);
  }
  return date.toISOString();
}

function toJson(value: unknown): string {
  let text: string | undefined;
  try {
    // `this[key]` is the value before toJSON: Buffers (Avro bytes) become base64, not {type,data}.
    text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
      const original = this[key];
      if (Buffer.isBuffer(original)) return original.toString('base64');
      if (typeof v === 'bigint') return v.toString();
      return v;
    });
  } catch (err) {
    throw new Error(`cannot be written as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text === undefined) throw new Error(`cannot be written as JSON: ${describe(value)}`);
  // jsonb refuses the escaped NUL character (SQLSTATE 22P05); say so here, not after a bisect.
  if (/(^|[^\\])(\\\\)*\\u0000/.test(text)) throw new Error('contains a NUL character (\\u0000), which jsonb cannot store');
  return text;
}

function withoutNul(text: string): string {
  if (text.includes('\u0000')) throw new Error('contains a NUL character (\\u0000), which PostgreSQL text cannot store');
  return text;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'an invalid Date';
  if (Buffer.isBuffer(value)) return 'bytes';
  if (typeof value === 'object') return 'a record';
  if (typeof value === 'bigint') return `bigint ${value}`;
  const shown = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`;
}

/** The raw (unconverted) value of a column for a record. Payload columns of a delete are null. */
export function sourceValue(column: ColumnMapping, record: SinkRecordIn): unknown {
  const source = column.source;
  if (source.kind === 'envelope') {
    switch (source.field) {
      case 'tenant':
        return record.tenant;
      case 'id':
        return record.id;
      case 'revision':
        return record.revision;
      case 'occurredAt':
        return record.occurredAt;
      case 'source':
        return record.source;
    }
  }
  return record.op === 'delete' ? null : valueAt(record.payload, source.segments);
}

/** A record ready for SQL: the mesh values, the data column values, and its key. */
export interface PreparedRow {
  tenant: string;
  id: string;
  revision: number;
  /** ISO-8601. */
  occurredAt: string;
  deleted: boolean;
  /** One per mapping.columns entry, same order. */
  values: SqlValue[];
  /** One per mapping.key entry. */
  keyValues: SqlValue[];
  /** Identity of the key, for grouping a batch per key. */
  keyId: string;
}

/**
 * Converts a record for `mapping`. Throws ValidationError (a value of the wrong type) or
 * ConstraintViolationError (a non-nullable column without a value) naming column and field.
 */
export function prepareRow(mapping: TableMapping, record: SinkRecordIn): PreparedRow {
  if (!Number.isSafeInteger(record.revision) || record.revision < 0) {
    throw new ValidationError(`revision ${record.revision} of ${mapping.entityType} ${record.id} is not an integer ≥ 0`, {
      field: 'revision',
      rule: 'revision',
    });
  }
  const deleted = record.op === 'delete';
  if (!deleted && (record.payload === null || typeof record.payload !== 'object')) {
    throw new ValidationError(`upsert of ${mapping.entityType} ${record.id} revision ${record.revision} has no payload`, {
      field: 'payload',
      rule: 'required',
    });
  }
  const values = mapping.columns.map((column) => {
    let value: SqlValue;
    try {
      value = toSqlValue(sourceValue(column, record), column.type);
    } catch (err) {
      throw new ValidationError(
        `entityType ${mapping.entityType} column "${column.name}" (${column.type}) from ${column.from}: ${err instanceof Error ? err.message : String(err)}`,
        { field: column.from, rule: `type:${column.type}` },
      );
    }
    if (value === null && !column.nullable && !(deleted && column.source.kind === 'payload')) {
      throw new ConstraintViolationError(
        `column "${column.name}" of table ${mapping.table} is not nullable, but ${column.from} of entityType ${mapping.entityType} ${record.id} revision ${record.revision} has no value`,
      );
    }
    return value;
  });
  const keyValues = mapping.key.map((name) => {
    if (name === 'tenant') return record.tenant;
    if (name === 'id') return record.id;
    return values[mapping.columns.findIndex((c) => c.name === name)] ?? null;
  });
  let occurredAt: string;
  try {
    occurredAt = toTimestamp(record.occurredAt);
  } catch (err) {
    throw new ValidationError(`occurredAt of ${mapping.entityType} ${record.id}: ${err instanceof Error ? err.message : String(err)}`, {
      field: 'occurredAt',
      rule: 'type:timestamptz',
    });
  }
  return {
    tenant: record.tenant,
    id: record.id,
    revision: record.revision,
    occurredAt,
    deleted,
    values,
    keyValues,
    keyId: JSON.stringify(keyValues),
  };
}
