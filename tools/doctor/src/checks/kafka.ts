// Broker reachable, then every expected topic with its partitions and cleanup policy.
import { Kafka, logLevel, type Admin } from 'kafkajs';
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
  const admin = new Kafka({
    clientId: 'mesh-doctor',
    brokers: opts.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(opts.timeoutMs, 3000),
    retry: { retries: 1, initialRetryTime: 200 },
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
  // ConfigResourceTypes.TOPIC = 2
  const configs = await admin.describeConfigs({
    resources: present.map((name) => ({ type: 2, name, configNames: ['cleanup.policy'] })),
    includeSynonyms: false,
  });
  const byTopic = new Map(configs.resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
  for (const t of meta.topics) out.set(t.name, { partitions: t.partitions.length, configs: byTopic.get(t.name) ?? {} });
  return out;
}
