// Where a newly assigned partition starts: the group's committed offset, or, where the group has
// none, the earliest or latest offset as its topic was subscribed (fromBeginning), as kafkajs does.
import { ListOffsetTimestamps, type Consumer as PltConsumer, type GroupAssignment } from '@platformatic/kafka';

export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

export async function startPositions(
  client: PltConsumer,
  assignments: GroupAssignment[],
  fromBeginning: ReadonlyMap<string, boolean>,
): Promise<Map<string, bigint>> {
  const positions = new Map<string, bigint>();
  const assigned = assignments.filter((a) => a.partitions.length > 0);
  if (assigned.length === 0) return positions;
  const committed = await client.listCommittedOffsets({ topics: assigned });
  const earliest: GroupAssignment[] = [];
  const latest: GroupAssignment[] = [];
  for (const { topic, partitions } of assigned) {
    // Negative is no offset: -1, or kafkajs' resetOffsets markers (-2, -1), which kafkajs reads as none too.
    const without = partitions.filter((p) => {
      const offset = committed.get(topic)?.[p];
      if (offset === undefined || offset < 0n) return true;
      positions.set(partitionKey(topic, p), offset);
      return false;
    });
    if (without.length > 0) (fromBeginning.get(topic) ? earliest : latest).push({ topic, partitions: without });
  }
  await Promise.all([listed(client, earliest, ListOffsetTimestamps.EARLIEST, positions), listed(client, latest, ListOffsetTimestamps.LATEST, positions)]);
  return positions;
}

async function listed(client: PltConsumer, assignments: GroupAssignment[], timestamp: bigint, into: Map<string, bigint>): Promise<void> {
  if (assignments.length === 0) return;
  const offsets = await client.listOffsets({
    topics: assignments.map((a) => a.topic),
    partitions: Object.fromEntries(assignments.map((a) => [a.topic, a.partitions])),
    timestamp,
  });
  for (const { topic, partitions } of assignments) for (const p of partitions) into.set(partitionKey(topic, p), offsets.get(topic)?.[p] ?? 0n);
}
