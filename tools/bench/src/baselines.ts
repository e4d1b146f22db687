// The baselines every figure is stated against, measured in the same run on the same machine:
// - passthrough: a bare consumer → producer on the Kafka port (the adapter MESH_KAFKA_CLIENT names) (eachBatch, one produce per batch, commit
//   after the produce) copying the router's input topic: the ceiling of any Kafka-to-Kafka app.
// - COPY: the sink's rows loaded into a table of the same shape with PostgreSQL's COPY (psql
//   \copy from a CSV file): the ceiling of any way of getting rows into PostgreSQL.
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin, KafkaClient } from '@ingest-mesh/kafka-client';
import pg from 'pg';
import { measureDrain } from './kafka-io.js';
import { perSecond } from './stats.js';

const run = promisify(execFile);

export interface Measured {
  count: number;
  ms: number;
  perSec: number;
}

export async function passthrough(kafka: KafkaClient, admin: Admin, from: string, to: string, groupId: string): Promise<Measured> {
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [from], fromBeginning: true });
  const started = Date.now();
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      if (batch.messages.length === 0) return;
      await producer.send({ topic: to, acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
      const last = batch.messages[batch.messages.length - 1]!.offset;
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      await heartbeat();
    },
  });
  try {
    // Timed like the apps: from the first committed progress (joining the group is not work).
    const drained = await measureDrain(admin, groupId, from, 600_000, started);
    return { count: drained.count, ms: drained.ms, perSec: perSecond(drained.count, drained.ms) };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

/** COPY of `rows` (customers: tenant, id, revision, name, email, tier) into a fresh table of `schema`. */
export async function copyCustomers(databaseUrl: string, schema: string, rows: readonly string[][]): Promise<Measured> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const table = `"${schema}"."copy_baseline"`;
  try {
    await client.query(
      `CREATE TABLE ${table} (tenant text NOT NULL, id text NOT NULL, revision bigint NOT NULL, name text, email text, tier text, PRIMARY KEY (tenant, id))`,
    );
  } finally {
    await client.end();
  }
  const file = path.join(os.tmpdir(), `bench-copy-${process.pid}.csv`);
  writeFileSync(file, rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n');
  try {
    const started = Date.now();
    await run('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy ${table} FROM '${file}' WITH (FORMAT csv)`]);
    const ms = Date.now() - started;
    return { count: rows.length, ms, perSec: perSecond(rows.length, ms) };
  } finally {
    rmSync(file, { force: true });
  }
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
