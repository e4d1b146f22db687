// The bench's late-revisions phase (#17): sink-postgres drains SinkRecords with four revisions
// per id in a shuffled order — replays, resends and producers on several partitions deliver them
// so — against the unique-keys phase of the same run. A record older than the row's revision is
// dead-lettered (SINK_OLDER_REVISION=dlq, the default) or skipped; every row must still end at
// its latest revision.
import { SINK_RECORD_SUBJECT, type SchemaCatalog } from '@ingest-mesh/avro';
import type { Admin, Message, Producer } from '@ingest-mesh/kafka-client';
import { freePort } from '@ingest-mesh/testing';
import type pg from 'pg';
import { spawnApp, waitReady, type AppProcess } from './apps.js';
import { measureDrain, produceAll, type Drain } from './kafka-io.js';
import { paddedName, seeded } from './load-plan.js';
import type { Row } from './report.js';
import { perSecond } from './stats.js';

export const REVISIONS_PER_ID = 4;

/** Ids × revisions 1..REVISIONS_PER_ID, shuffled (Fisher–Yates from the seed). */
export function shuffledRevisions(ids: readonly string[], seed: number): { id: string; revision: number }[] {
  const out = ids.flatMap((id) => Array.from({ length: REVISIONS_PER_ID }, (_, r) => ({ id, revision: r + 1 })));
  const random = seeded(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface ShuffledRun {
  run: string;
  records: number;
  size: number;
  seed: number;
  partitions: number;
  admin: Admin;
  producer: Producer;
  catalog: SchemaCatalog;
  pool: pg.Pool;
  /** The run's PostgreSQL schema and the sink's variables (secrets, database, control topic). */
  schema: string;
  env: Record<string, string>;
  nodeArgs: string[];
  /** The unique-keys phase of this run (rows/s of sink-postgres): the baseline. */
  uniquePerSec: number;
  started(app: AppProcess): void;
  phase(what: string, pids: Record<string, number | undefined>, work: () => Promise<Drain>): Promise<Drain>;
}

export async function shuffledRevisionsPhase(c: ShuffledRun): Promise<Row> {
  const tenant = `bench-${c.run}-late`;
  const ids = Array.from({ length: Math.max(1, Math.floor(c.records / REVISIONS_PER_ID)) }, (_, n) => `late-${n}`);
  const order = shuffledRevisions(ids, c.seed + 3);
  const topic = `sink.bench${c.run}late`;
  const groupId = `bench.sink-postgres-late.${c.run}`;
  await c.admin.createTopics({ topics: [{ topic, numPartitions: c.partitions, replicationFactor: -1 }], waitForLeaders: true });
  const customerId = (await c.catalog.latest('customer')).id;
  const at = Date.now();
  const messages: Message[] = [];
  for (const [n, { id, revision }] of order.entries()) {
    const payload = await c.catalog.encode('customer', {
      id,
      name: paddedName(n, c.size),
      email: `${id}@example.com`,
      tier: 'pro',
      country: 'DE',
      createdAt: at,
    });
    const value = await c.catalog.encode(SINK_RECORD_SUBJECT, {
      tenant,
      source: 'bench',
      entityType: 'customer',
      id,
      revision,
      occurredAt: at + revision,
      priority: 'normal',
      op: 'upsert',
      payloadSchemaId: customerId,
      payload,
      traceparent: null,
      routedAt: at,
    });
    messages.push({ key: `${tenant}:customer:${id}`, value });
  }
  await produceAll(c.producer, topic, messages);

  const sink = spawnApp('sink-postgres', await freePort(), { ...c.env, SINK_TOPIC: topic, SINK_GROUP_ID: groupId }, c.nodeArgs);
  c.started(sink);
  await waitReady(sink);
  const drained = await c.phase('sink-postgres, shuffled revisions', { 'sink-postgres': sink.child.pid }, () => measureDrain(c.admin, groupId, topic, 900_000));
  const { rows } = await c.pool.query<{ latest: string; all: string }>(
    `SELECT count(*) FILTER (WHERE revision = $2) AS latest, count(*) AS all FROM "${c.schema}".customers WHERE tenant = $1`,
    [tenant, REVISIONS_PER_ID],
  );
  const perSec = perSecond(drained.count, drained.ms);
  return {
    what: `sink-postgres, ${REVISIONS_PER_ID} revisions per id in shuffled order`,
    value: perSec,
    unit: 'records/s',
    baseline: { name: 'sink-postgres, unique keys', value: c.uniquePerSec },
    target: { value: 0.9 * c.uniquePerSec, atLeast: true },
    note: `${messages.length} records of ${ids.length} ids over ${c.partitions} partitions; rows at their latest revision: ${rows[0]?.latest ?? 0} of ${ids.length} (${rows[0]?.all ?? 0} rows); target 0.9× the unique-keys phase`,
  };
}
