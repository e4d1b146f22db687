// One transaction on one pooled connection. A connection that fails to roll back is destroyed
// rather than returned to the pool in an unknown state.
import type pg from 'pg';

/**
 * Checks a connection out for `use`. While checked out, the pool's own error listener is not on
 * it: a server that drops it then (a restart, `57P01` admin shutdown) would emit an unhandled
 * 'error' and crash the process. The query in flight fails with that error anyway; here it only
 * marks the connection broken, so it is destroyed instead of returned to the pool.
 */
export async function withClient<T>(pool: pg.Pool, use: (client: pg.PoolClient, markBroken: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const markBroken = () => {
    broken = true;
  };
  client.on('error', markBroken);
  try {
    return await use(client, markBroken);
  } finally {
    client.off('error', markBroken);
    client.release(broken);
  }
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, (client, markBroken) => transaction(client, work, markBroken));
}

async function transaction<T>(client: pg.PoolClient, work: (client: pg.PoolClient) => Promise<T>, markBroken: () => void): Promise<T> {
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(markBroken);
      throw err;
    }
  } catch (err) {
    // BEGIN or COMMIT failing means the connection is gone or in doubt.
    if (!(typeof err === 'object' && err !== null && 'severity' in err)) markBroken();
    throw err;
  }
}
