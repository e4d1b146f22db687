// Broker reachable, then every expected topic with its partitions and cleanup policy.
import { createKafkaClient, type Admin } from '@ingest-mesh/kafka-client';
import { expectedTopics, judgeTopic, type MeshTopicNames, type TopicState } from './topics.js';
import { fail, pass, reason, skip, withTimeout, type CheckRow } from './types.js';

export interface KafkaCheckOptions {
  brokers: string[];
  apps: string[];
  minPartitions: number;
  topics: MeshTopicNames;
  timeoutMs: number;
}

export async function checkKafka(opts: KafkaCheckOptions): Promise<CheckRow[]> {
  const wanted = expectedTopics(opts.apps, opts.minPartitions, opts.topics);
  const admin = createKafkaClient({
    clientId: 'mesh-doctor',
    brokers: opts.brokers,
    connectionTimeoutMs: Math.min(opts.timeoutMs, 3000),
    retries: 1,
    initialRetryTimeMs: 200,
  }).admin();
  const where = opts.brokers.join(',');
  try {
    const cluster = await withTimeout(
      admin.connect().then(() => admin.describeCluster()),
      opts.timeoutMs,
      `connecting to ${where}`,
    );
    const rows: CheckRow[] = [pass('kafka', 'broker', `${where}: ${cluster.brokers.length} broker(s), controller ${cluster.controller}`)];
    const state = await withTimeout(
      topicStates(
        admin,
        wanted.map((w) => w.topic),
      ),
      opts.timeoutMs,
      'reading topics',
    );
    return rows.concat(wanted.map((w) => judgeTopic(w, state.get(w.topic))));
  } catch (err) {
    return [fail('kafka', 'broker', `${where}: ${reason(err)}`), ...wanted.map((w) => skip('topic', w.topic, 'not checked: broker unreachable'))];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function topicStates(admin: Admin, topics: string[]): Promise<Map<string, TopicState>> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  const out = new Map<string, TopicState>();
  if (present.length === 0) return out;
  const meta = await admin.fetchTopicMetadata({ topics: present });
  const byTopic = await admin.describeTopicConfigs(present, ['cleanup.policy']);
  for (const t of meta.topics) out.set(t.name, { partitions: t.partitions.length, configs: byTopic.get(t.name) ?? {} });
  return out;
}
