import { stackEndpoints } from '@ingest-mesh/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const url = stackEndpoints().DATABASE_URL;

describe('PostgreSQL at DATABASE_URL', () => {
  const client = new pg.Client({ connectionString: url });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it('is a real PostgreSQL that commits and reads back rows', async () => {
    const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    expect(Number(version.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(140000);

    await client.query('CREATE TEMP TABLE probe (id int PRIMARY KEY, revision bigint NOT NULL)');
    await client.query(
      'INSERT INTO probe SELECT * FROM unnest($1::int[], $2::bigint[]) ON CONFLICT (id) DO UPDATE SET revision = excluded.revision WHERE excluded.revision > probe.revision',
      [
        [1, 2],
        [5, 7],
      ],
    );
    await client.query(
      'INSERT INTO probe SELECT * FROM unnest($1::int[], $2::bigint[]) ON CONFLICT (id) DO UPDATE SET revision = excluded.revision WHERE excluded.revision > probe.revision',
      [
        [1, 2],
        [4, 9],
      ],
    );
    const rows = await client.query<{ id: number; revision: string }>('SELECT id, revision FROM probe ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, revision: '5' },
      { id: 2, revision: '9' },
    ]);
  });

  it('has the database the schema registry stores its schemas in', async () => {
    const res = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_database WHERE datname = 'registry'");
    expect(res.rows[0]!.n).toBe('1');
  });
});
