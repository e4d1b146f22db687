// The topics the mesh needs, and how each one must look: the control, events and routes topics,
// the router's input, and a sink.<x> and dlq.<app> per app of the mesh.
import { fail, pass, type CheckRow } from './types.js';

export interface TopicExpectation {
  topic: string;
  minPartitions: number;
  /** Exactly this many (mesh.routes: one partition, so its compacted view is ordered). */
  exactPartitions?: number;
  cleanupPolicy?: string;
}

export interface TopicState {
  partitions: number;
  configs: Record<string, string | undefined>;
}

/** The shared topics' names, from the variables the apps read (MESH_CONTROL_TOPIC, ROUTER_*_TOPIC…). */
export interface MeshTopicNames {
  control: string;
  events: string;
  routes: string;
  raw: string;
  deferred: string;
}

export const DEFAULT_TOPIC_NAMES: MeshTopicNames = {
  control: 'mesh.control',
  events: 'mesh.events',
  routes: 'mesh.routes',
  raw: 'ingest.raw',
  deferred: 'ingest.deferred',
};

export function expectedTopics(apps: readonly string[], minPartitions: number, names: MeshTopicNames = DEFAULT_TOPIC_NAMES): TopicExpectation[] {
  const out: TopicExpectation[] = [
    { topic: names.control, minPartitions: 1, cleanupPolicy: 'delete' },
    { topic: names.events, minPartitions: 1, cleanupPolicy: 'delete' },
    { topic: names.routes, minPartitions: 1, exactPartitions: 1, cleanupPolicy: 'compact' },
    { topic: names.raw, minPartitions, cleanupPolicy: 'delete' },
    { topic: names.deferred, minPartitions: 1, cleanupPolicy: 'delete' },
  ];
  for (const app of apps) {
    if (app.startsWith('sink-')) out.push({ topic: `sink.${app.slice('sink-'.length)}`, minPartitions, cleanupPolicy: 'delete' });
  }
  for (const app of apps) out.push({ topic: `dlq.${app}`, minPartitions: 1, cleanupPolicy: 'delete' });
  return out;
}

export function judgeTopic(want: TopicExpectation, got: TopicState | undefined): CheckRow {
  if (!got) return fail('topic', want.topic, 'missing');
  const problems: string[] = [];
  if (want.exactPartitions !== undefined && got.partitions !== want.exactPartitions)
    problems.push(`${got.partitions} partitions, want exactly ${want.exactPartitions}`);
  else if (got.partitions < want.minPartitions) problems.push(`${got.partitions} partitions, want at least ${want.minPartitions}`);
  const policy = got.configs['cleanup.policy'];
  if (want.cleanupPolicy && policy !== undefined && !policy.split(',').includes(want.cleanupPolicy))
    problems.push(`cleanup.policy=${policy}, want ${want.cleanupPolicy}`);
  if (problems.length > 0) return fail('topic', want.topic, problems.join('; '));
  return pass('topic', want.topic, `${got.partitions} partition${got.partitions === 1 ? '' : 's'}, cleanup.policy=${policy ?? '?'}`);
}
