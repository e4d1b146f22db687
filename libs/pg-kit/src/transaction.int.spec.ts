// A checked-out connection that the server drops (pg_terminate_backend: 57P01, as in a
// PostgreSQL restart) fails the work in flight and is discarded, without an unhandled 'error'
// crashing the process (the pool's own listener is not on a connection while it is checked out).
import { stackEndpoints } from '@ingest-mesh/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inTransaction, withClient } from './transaction.js';

const pool = new pg.Pool({ connectionString: stackEndpoints().DATABASE_URL, max: 2 });
pool.on('error', () => undefined);
const unhandled: unknown[] = [];
const onUncaught = (err: unknown) => void unhandled.push(err);
process.on('uncaughtException', onUncaught);

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await pool.end();
});

async function terminate(pid: number): Promise<void> {
  await pool.query('SELECT pg_terminate_backend($1)', [pid]);
}

describe('withClient and inTransaction when the server drops the connection', () => {
  it('reject the work with the server error, discard the connection, and crash nothing', async () => {
    const inFlight = inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await terminate(rows[0]!.pid);
      await client.query('SELECT pg_sleep(5)');
    });
    await expect(inFlight).rejects.toMatchObject({ code: '57P01' });
    await new Promise((r) => setTimeout(r, 200)); // the 'error' event follows the failed query
    expect(unhandled).toEqual([]);
    // The pool still works: the dropped connection was not handed out again.
    expect((await pool.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
  });

  it('discard a connection dropped between two uses', async () => {
    let pid = 0;
    await withClient(pool, async (client) => {
      pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await terminate(pid);
      await new Promise((r) => setTimeout(r, 200)); // dropped while held, with nothing in flight
    });
    expect(unhandled).toEqual([]);
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(rows[0]!.pid).not.toBe(pid);
  });
});
