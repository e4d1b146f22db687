// One transaction on one pooled connection. A connection that fails to roll back is destroyed
// rather than returned to the pool in an unknown state.
import type pg from 'pg';

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    }
  } catch (err) {
    // BEGIN or COMMIT failing means the connection is gone or in doubt.
    broken ||= !(typeof err === 'object' && err !== null && 'severity' in err);
    throw err;
  } finally {
    client.release(broken);
  }
}
