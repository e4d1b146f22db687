// classify() on errors the real servers and clients produce, so the mapping cannot drift
// from what PostgreSQL, Redis, Kafka, OpenSearch and the registry actually send.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Client as OpenSearch } from '@opensearch-project/opensearch';
import { stackEndpoints } from '@ingest-mesh/testing';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from './classify.js';

const endpoints = stackEndpoints();
const { DATABASE_URL, REDIS_URL, SEARCH_URL } = endpoints;
const KAFKA_BROKERS = endpoints.KAFKA_BROKERS.split(',');

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

function verdict(err: unknown) {
  const { code, retryable } = classify(err);
  return { code, retryable };
}

describe('PostgreSQL', () => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  beforeAll(async () => {
    await client.connect();
    await client.query('CREATE TEMP TABLE classify_probe (id int PRIMARY KEY, n int NOT NULL)');
    await client.query('INSERT INTO classify_probe VALUES (1, 1)');
  });
  afterAll(() => client.end());

  it('unique and not-null violations are CONSTRAINT_VIOLATION', async () => {
    expect(verdict(await rejectionOf(client.query('INSERT INTO classify_probe VALUES (1, 2)')))).toEqual({ code: 'CONSTRAINT_VIOLATION', retryable: false });
    expect(verdict(await rejectionOf(client.query('INSERT INTO classify_probe VALUES (2, NULL)')))).toEqual({ code: 'CONSTRAINT_VIOLATION', retryable: false });
  });

  it('a value the column type rejects is VALIDATION_FAIL', async () => {
    expect(verdict(await rejectionOf(client.query("SELECT 'x'::int")))).toEqual({ code: 'VALIDATION_FAIL', retryable: false });
  });

  it('statement_timeout is SINK_TIMEOUT', async () => {
    await client.query("SET statement_timeout = '50ms'");
    try {
      expect(verdict(await rejectionOf(client.query('SELECT pg_sleep(2)')))).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
    } finally {
      await client.query('RESET statement_timeout');
    }
  });

  it("pg's query_timeout is SINK_TIMEOUT", async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, query_timeout: 50 });
    try {
      expect(verdict(await rejectionOf(pool.query('SELECT pg_sleep(2)')))).toEqual({ code: 'SINK_TIMEOUT', retryable: true });
    } finally {
      await pool.end();
    }
  });

  it('a missing table is INTERNAL_ERROR (migration not run)', async () => {
    expect(verdict(await rejectionOf(client.query('SELECT * FROM classify_probe_missing')))).toEqual({ code: 'INTERNAL_ERROR', retryable: false });
  });

  it('a connection killed by the server is CONNECTION_ERROR', async () => {
    const victim = new pg.Client({ connectionString: DATABASE_URL });
    await victim.connect();
    victim.on('error', () => undefined); // the kill also surfaces as an 'error' event
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pending = rejectionOf(victim.query('SELECT pg_sleep(5)'));
    await client.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    expect(verdict(await pending)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    await victim.end().catch(() => undefined);
  });

  it('nothing listening is CONNECTION_ERROR', async () => {
    const unreachable = new pg.Client({ host: '127.0.0.1', port: await closedPort(), user: 'mesh' });
    expect(verdict(await rejectionOf(unreachable.connect()))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });
});

describe('Redis', () => {
  it('a command of the wrong type is INTERNAL_ERROR', async () => {
    const redis = new Redis(REDIS_URL);
    const key = `mesh:test:classify:${randomUUID()}`;
    try {
      await redis.set(key, 'a', 'EX', 60);
      expect(verdict(await rejectionOf(redis.lpush(key, 'b')))).toEqual({ code: 'INTERNAL_ERROR', retryable: false });
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });

  it('Redis unreachable (maxRetriesPerRequest reached) is CONNECTION_ERROR', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: await closedPort(), maxRetriesPerRequest: 1, retryStrategy: () => 10 });
    redis.on('error', () => undefined);
    try {
      const err = await rejectionOf(redis.get('k'));
      expect((err as Error).name).toBe('MaxRetriesPerRequestError');
      expect(verdict(err)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
    } finally {
      redis.disconnect();
    }
  });

  it('a command on a closed client is CONNECTION_ERROR', async () => {
    const redis = new Redis(REDIS_URL);
    await redis.ping();
    await redis.quit();
    expect(verdict(await rejectionOf(redis.get('k')))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });
});

describe('OpenSearch', () => {
  const search = new OpenSearch({ node: SEARCH_URL });
  const index = `mesh-test-classify-${randomUUID()}`;
  afterAll(() => search.indices.delete({ index }).catch(() => undefined));

  it('an external-version conflict is CONSTRAINT_VIOLATION (409)', async () => {
    await search.index({ index, id: '1', version: 2, version_type: 'external', body: { n: 1 }, refresh: true });
    const err = await rejectionOf(search.index({ index, id: '1', version: 1, version_type: 'external', body: { n: 0 } }));
    expect((err as { statusCode?: number }).statusCode).toBe(409);
    expect(verdict(err)).toEqual({ code: 'CONSTRAINT_VIOLATION', retryable: false });
  });

  it('a missing index is INTERNAL_ERROR (404)', async () => {
    expect(verdict(await rejectionOf(search.get({ index: `${index}-missing`, id: '1' })))).toEqual({ code: 'INTERNAL_ERROR', retryable: false });
  });

  it('nothing listening is CONNECTION_ERROR', async () => {
    const unreachable = new OpenSearch({ node: `http://127.0.0.1:${await closedPort()}`, maxRetries: 0 });
    expect(verdict(await rejectionOf(unreachable.info()))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });
});

describe('Kafka', () => {
  it('a producer that cannot reach any broker is CONNECTION_ERROR', async () => {
    const kafka = new kafkajs.Kafka({
      brokers: [`127.0.0.1:${await closedPort()}`],
      logLevel: kafkajs.logLevel.NOTHING,
      connectionTimeout: 500,
      retry: { retries: 1, initialRetryTime: 10 },
    });
    const err = await rejectionOf(kafka.producer().connect());
    expect((err as Error).name).toBe('KafkaJSNumberOfRetriesExceeded');
    expect(verdict(err)).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });

  it('a message over the broker limit is PAYLOAD_TOO_LARGE', async () => {
    const kafka = new kafkajs.Kafka({ brokers: KAFKA_BROKERS, logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 0 } });
    const topic = `mesh-test-classify-${randomUUID()}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1024' }] }], waitForLeaders: true });
      const err = await rejectionOf(producer.send({ topic, messages: [{ value: Buffer.alloc(4096, 1) }] }));
      expect(verdict(err)).toEqual({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});

describe('schema registry', () => {
  it('an unreachable registry is CONNECTION_ERROR', async () => {
    const registry = new SchemaRegistry({ host: `http://127.0.0.1:${await closedPort()}`, retry: { retries: 0 } });
    expect(verdict(await rejectionOf(registry.getLatestSchemaId('orders-value')))).toEqual({ code: 'CONNECTION_ERROR', retryable: true });
  });
});
