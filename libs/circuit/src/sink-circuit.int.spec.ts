// The breaker against real PostgreSQL errors: a refused connection and a statement timeout
// trip it, constraint violations never do, and a half-open probe against a live server closes it.
import net from 'node:net';
import { CircuitOpenError } from '@ingest-mesh/reason-codes';
import { stackEndpoints } from '@ingest-mesh/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SinkCircuit } from './sink-circuit.js';

const databaseUrl = stackEndpoints().DATABASE_URL;
let live: pg.Pool;
let refused: pg.Pool;
const table = `circuit_int_${process.pid}_${Date.now()}`;

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  live = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const url = new URL(databaseUrl);
  url.port = String(await closedPort());
  refused = new pg.Pool({ connectionString: url.toString(), max: 1, connectionTimeoutMillis: 2_000 });
  await live.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
  await live.query(`INSERT INTO ${table} VALUES (1)`);
});

afterAll(async () => {
  await live?.query(`DROP TABLE IF EXISTS ${table}`);
  await live?.end();
  await refused?.end();
});

describe('SinkCircuit with real PostgreSQL errors', () => {
  it('opens on refused connections, then refuses calls without touching the pool', async () => {
    const circuit = new SinkCircuit({ name: 'postgres', resetTimeoutMs: 60_000 });
    try {
      for (let i = 0; i < 5; i++) {
        await expect(circuit.fire(() => refused.query('SELECT 1'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      }
      expect(circuit.state).toBe('open');
      const query = vi.spyOn(refused, 'query');
      await expect(circuit.fire(() => refused.query('SELECT 1'))).rejects.toBeInstanceOf(CircuitOpenError);
      expect(query).not.toHaveBeenCalled();
    } finally {
      circuit.shutdown();
    }
  });

  it('counts statement timeouts (57014) but never unique violations (23505)', async () => {
    const circuit = new SinkCircuit({ name: 'postgres', resetTimeoutMs: 60_000 });
    try {
      const duplicate = () => live.query(`INSERT INTO ${table} VALUES (1)`);
      for (let i = 0; i < 10; i++) await expect(circuit.fire(duplicate)).rejects.toMatchObject({ code: '23505' });
      expect(circuit.state).toBe('closed');
      expect(circuit.stats()).toMatchObject({ dataErrors: 10, failures: 0 });

      const slow = async () => {
        const client = await live.connect();
        try {
          await client.query('SET statement_timeout = 20');
          return await client.query('SELECT pg_sleep(1)');
        } finally {
          await client.query('RESET statement_timeout');
          client.release();
        }
      };
      // 10 data errors already in the window: 11 timeouts make 11/21 > 50 %.
      for (let i = 0; i < 11; i++) await expect(circuit.fire(slow)).rejects.toMatchObject({ code: '57014' });
      expect(circuit.state).toBe('open');
    } finally {
      circuit.shutdown();
    }
  });

  it('closes after a successful half-open probe against the live server', async () => {
    const circuit = new SinkCircuit({ name: 'postgres', resetTimeoutMs: 200 });
    const closed = new Promise<void>((resolve) => circuit.onClose(resolve));
    try {
      for (let i = 0; i < 5; i++) await expect(circuit.fire(() => refused.query('SELECT 1'))).rejects.toThrow();
      expect(circuit.state).toBe('open');
      await new Promise<void>((resolve) => circuit.onHalfOpen(resolve));
      const result = await circuit.fire(() => live.query<{ one: number }>('SELECT 1 AS one'));
      expect(result.rows[0]?.one).toBe(1);
      await closed;
      expect(circuit.state).toBe('closed');
    } finally {
      circuit.shutdown();
    }
  });
});
