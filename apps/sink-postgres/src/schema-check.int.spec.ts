// The start-up check against live tables: every problem named, none when the tables match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTables, TableSchemaError } from './schema-check.js';
import { parseTablesConfig } from './table-config.js';
import { createTestSchema, demoTables, historyTables, migrateDemo, type TestSchema } from './test-support/pg-harness.js';

let db: TestSchema;

beforeAll(async () => {
  db = await createTestSchema('schemacheck');
  await migrateDemo(db.pool, db.schema);
});
afterAll(() => db?.drop());

const problemsOf = (err: unknown) => (err instanceof TableSchemaError ? err.problems : [String(err)]);

describe('checkTables', () => {
  it('accepts the demo tables as migrated, in both modes', async () => {
    await expect(checkTables(db.pool, db.schema, [...(await demoTables()).entityTypes.values()])).resolves.toBeUndefined();
    await expect(checkTables(db.pool, db.schema, [...(await historyTables()).entityTypes.values()])).resolves.toBeUndefined();
  });

  it('names a missing column, a wrong type and the entity type that needs them', async () => {
    const tables = parseTablesConfig({
      entityTypes: {
        customer: {
          table: 'customers',
          columns: {
            name: { from: 'name', type: 'text' },
            nickname: { from: 'nickname', type: 'text' },
            email: { from: 'email', type: 'jsonb' },
          },
        },
      },
    });
    const err = await checkTables(db.pool, db.schema, [...tables.entityTypes.values()]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TableSchemaError);
    expect(problemsOf(err)).toEqual([
      'table customers lacks column "nickname" (text) needed by entityType customer',
      'table customers column "email" is text, but entityType customer needs jsonb',
    ]);
  });

  it('names a missing table, NOT NULL data columns and a missing conflict index', async () => {
    await db.pool.query(
      'CREATE TABLE strict_things (tenant text, id text, revision bigint, occurred_at timestamptz, deleted boolean, updated_at timestamptz, label text NOT NULL)',
    );
    const tables = parseTablesConfig({
      entityTypes: {
        thing: { table: 'strict_things', columns: { label: { from: 'label', type: 'text' } } },
        gadget: { table: 'gadgets', columns: { label: { from: 'label', type: 'text' } } },
      },
    });
    const err = await checkTables(db.pool, db.schema, [...tables.entityTypes.values()]).catch((e: unknown) => e);
    expect(problemsOf(err)).toEqual([
      'table strict_things column "label" is NOT NULL, but tombstones of entityType thing clear it: drop NOT NULL and require it with CHECK (deleted OR label IS NOT NULL)',
      'table strict_things has no unique index on exactly (tenant, id), needed by entityType thing for ON CONFLICT',
      'table gadgets does not exist (needed by entityType gadget; run the migrations or create it)',
    ]);
    expect((err as Error).message).toContain(`the live tables in schema ${db.schema} do not match tables.yaml`);
  });

  it('history mode needs the mesh history columns and a unique index on key + revision', async () => {
    const tables = parseTablesConfig({ entityTypes: { customer: { table: 'customers', mode: 'history', columns: { name: { from: 'name', type: 'text' } } } } });
    expect(problemsOf(await checkTables(db.pool, db.schema, [...tables.entityTypes.values()]).catch((e: unknown) => e))).toEqual([
      'table customers lacks column "valid_from" (timestamptz) needed by entityType customer',
      'table customers lacks column "valid_to" (timestamptz) needed by entityType customer',
      'table customers lacks column "is_current" (boolean) needed by entityType customer',
      'table customers has no unique index on exactly (tenant, id, revision), needed by entityType customer for ON CONFLICT',
    ]);
  });
});
