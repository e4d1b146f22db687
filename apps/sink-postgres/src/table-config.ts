// tables.yaml: which table each entity type lands in, how (upsert or SCD2 history), its key, and
// which Avro field (or envelope field) fills each column with which PostgreSQL type. Validated at
// start-up; every problem names its path in the file and what was expected.
import { ConfigFileError, formatIssues, readConfigFile } from '@ingest-mesh/config-file';
import { z } from 'zod';
import { FieldPathError, parseSingleValuePath, type PathSegment } from '@ingest-mesh/field-path';

export const COLUMN_TYPES = ['text', 'bigint', 'integer', 'numeric', 'boolean', 'timestamptz', 'jsonb'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const TABLE_MODES = ['upsert', 'history'] as const;
export type TableMode = (typeof TABLE_MODES)[number];

/** Envelope fields a column may take instead of a payload field. */
export const ENVELOPE_SOURCES = { $tenant: 'tenant', $id: 'id', $revision: 'revision', $occurredAt: 'occurredAt', $source: 'source' } as const;
export type EnvelopeField = (typeof ENVELOPE_SOURCES)[keyof typeof ENVELOPE_SOURCES];

export interface MeshColumn {
  name: string;
  type: ColumnType;
}

/** Columns the sink fills itself on every upsert table (names fixed; see README). */
export const UPSERT_MESH_COLUMNS: readonly MeshColumn[] = [
  { name: 'tenant', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'revision', type: 'bigint' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'deleted', type: 'boolean' },
  { name: 'updated_at', type: 'timestamptz' },
];

/** History tables add the validity interval of each version. */
export const HISTORY_MESH_COLUMNS: readonly MeshColumn[] = [
  ...UPSERT_MESH_COLUMNS,
  { name: 'valid_from', type: 'timestamptz' },
  { name: 'valid_to', type: 'timestamptz' },
  { name: 'is_current', type: 'boolean' },
];

export function meshColumns(mode: TableMode): readonly MeshColumn[] {
  return mode === 'history' ? HISTORY_MESH_COLUMNS : UPSERT_MESH_COLUMNS;
}

/** A payload field is a path of @ingest-mesh/field-path naming one value (no [*]). */
export type ColumnSource = { kind: 'envelope'; field: EnvelopeField } | { kind: 'payload'; path: string; segments: PathSegment[] };

export interface ColumnMapping {
  name: string;
  type: ColumnType;
  /** false: a missing or null value fails the record (CONSTRAINT_VIOLATION) before any SQL. */
  nullable: boolean;
  /** As written in tables.yaml, for messages. */
  from: string;
  source: ColumnSource;
}

export interface TableMapping {
  entityType: string;
  table: string;
  mode: TableMode;
  /** Conflict key: mesh columns `tenant`/`id` and/or mapped columns. */
  key: readonly string[];
  /** The mapped (data) columns, in file order; mesh columns are not listed here. */
  columns: readonly ColumnMapping[];
}

export interface TablesConfig {
  /** entityType → mapping. */
  entityTypes: ReadonlyMap<string, TableMapping>;
}

/** Lowercase so that quoted and unquoted spellings in hand-written SQL name the same column. */
export const SQL_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
/** Same rule as the registry subjects `entity.<entityType>` (@ingest-mesh/avro). */
export const ENTITY_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

const sqlName = (what: string) =>
  z.string({ error: `expected a ${what} name (string)` }).regex(SQL_NAME_PATTERN, {
    error: (iss) =>
      `not a valid ${what} name ${JSON.stringify(iss.input)}: expected lowercase letters, digits and _, starting with a letter or _, at most 63 characters`,
  });

const fromSchema = z
  .string({ error: 'expected a payload field path (e.g. email, address.zip, items[0].sku) or one of $tenant, $id, $revision, $occurredAt, $source' })
  .superRefine((from, ctx) => {
    if (from.startsWith('$')) {
      if (!Object.hasOwn(ENVELOPE_SOURCES, from)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown envelope field ${JSON.stringify(from)}: expected one of ${Object.keys(ENVELOPE_SOURCES).join(', ')}`,
        });
      }
      return;
    }
    try {
      parseSingleValuePath(from);
    } catch (err) {
      let message = err instanceof Error ? err.message : String(err);
      // A column takes one value; a whole list goes into a jsonb column.
      if (err instanceof FieldPathError && err.problem === 'many-values')
        message += `, or map the list itself (${from.slice(0, from.indexOf('[*]'))}) to a jsonb column`;
      ctx.addIssue({ code: 'custom', message });
    }
  });

const columnSchema = z.strictObject(
  {
    from: fromSchema,
    type: z.enum(COLUMN_TYPES, { error: `expected a column type: one of ${COLUMN_TYPES.join(', ')}` }),
    nullable: z.boolean({ error: 'expected true or false' }).optional(),
  },
  { error: 'expected a column mapping { from, type, nullable? }' },
);

const entityTypeSchema = z
  .strictObject(
    {
      table: sqlName('table'),
      mode: z.enum(TABLE_MODES, { error: `expected a mode: one of ${TABLE_MODES.join(', ')}` }).optional(),
      key: z.array(sqlName('column'), { error: 'expected a list of key column names' }).min(1, { error: 'expected at least one key column' }).optional(),
      columns: z.record(sqlName('column'), columnSchema, { error: 'expected a map of column name → { from, type, nullable? }' }),
    },
    { error: 'expected a table mapping { table, mode?, key?, columns }' },
  )
  .superRefine((entry, ctx) => {
    const mode = entry.mode ?? 'upsert';
    const reserved = new Set(meshColumns(mode).map((c) => c.name));
    for (const name of Object.keys(entry.columns)) {
      if (reserved.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', name],
          message: `"${name}" is a mesh column the sink fills itself in ${mode} mode; map the value to another column name`,
        });
      }
    }
    const key = entry.key ?? DEFAULT_KEY;
    const seen = new Set<string>();
    key.forEach((name, i) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['key', i], message: `key column "${name}" is listed twice` });
      seen.add(name);
      const mapped = entry.columns[name];
      if (name === 'tenant' || name === 'id') return;
      if (mapped === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['key', i],
          message: `key column "${name}" is neither tenant, id nor one of the mapped columns (${Object.keys(entry.columns).join(', ') || 'none'})`,
        });
      } else if (!mapped.from.startsWith('$')) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', name, 'from'],
          message: `key column "${name}" must come from the envelope (${Object.keys(ENVELOPE_SOURCES).join(', ')}): tombstones carry no payload to take a key from`,
        });
      } else if (mapped.nullable === true) {
        ctx.addIssue({ code: 'custom', path: ['columns', name, 'nullable'], message: `key column "${name}" cannot be nullable` });
      }
    });
  });

const DEFAULT_KEY = ['tenant', 'id'] as const;

export const tablesConfigSchema = z
  .strictObject(
    {
      entityTypes: z.record(
        z.string().regex(ENTITY_TYPE_PATTERN, {
          error: (iss) => `not a valid entity type ${JSON.stringify(iss.input)}: expected lowercase dot-separated names such as customer or billing.invoice`,
        }),
        entityTypeSchema,
        { error: 'expected a map of entity type → table mapping' },
      ),
    },
    { error: 'expected a map with entityTypes' },
  )
  .superRefine((config, ctx) => {
    const owner = new Map<string, string>();
    for (const [entityType, entry] of Object.entries(config.entityTypes)) {
      const first = owner.get(entry.table);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['entityTypes', entityType, 'table'],
          message: `table "${entry.table}" is already mapped by entity type "${first}": one table per entity type (revisions of different types would guard each other)`,
        });
      } else {
        owner.set(entry.table, entityType);
      }
    }
  });

export class TablesConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`table mapping ${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'TablesConfigError';
  }
}

/** Validates an already parsed document; `source` names it in errors. */
export function parseTablesConfig(raw: unknown, source = '<inline>'): TablesConfig {
  const result = tablesConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new TablesConfigError(source, formatIssues(result.error));
  }
  const entityTypes = new Map<string, TableMapping>();
  for (const [entityType, entry] of Object.entries(result.data.entityTypes)) {
    entityTypes.set(entityType, {
      entityType,
      table: entry.table,
      mode: entry.mode ?? 'upsert',
      key: [...(entry.key ?? DEFAULT_KEY)],
      columns: Object.entries(entry.columns).map(([name, column]) => ({
        name,
        type: column.type,
        nullable: column.nullable ?? false,
        from: column.from,
        source: sourceOf(column.from),
      })),
    });
  }
  return { entityTypes };
}

/** Reads and validates the file: `.json` as JSON, anything else as YAML. */
export async function loadTablesConfig(file: string): Promise<TablesConfig> {
  let raw: unknown;
  try {
    raw = await readConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new TablesConfigError(file, [err.problem]);
    throw err;
  }
  return parseTablesConfig(raw, file);
}

function sourceOf(from: string): ColumnSource {
  if (from.startsWith('$')) return { kind: 'envelope', field: ENVELOPE_SOURCES[from as keyof typeof ENVELOPE_SOURCES] };
  return { kind: 'payload', path: from, segments: parseSingleValuePath(from) };
}

/** `entityTypes.order.columns.amount_cents.type`; keys that are not plain names are quoted. */
export { formatPath } from '@ingest-mesh/config-file';
