// Consumer groups and their committed offsets, for the platformatic Admin (admin.ts), with
// kafkajs' results: '-1' where a group has no offset, setting offsets refused while the group has
// members, and a deleteGroups that fails for some groups names those groups.
import { findErrorBy, type Admin as PltAdmin } from '@platformatic/kafka';
import { KafkaGroupsNotDeletedError, KafkaPortUsageError } from '../errors.js';
import type { Admin, PartitionOffsets } from '../port.js';

type GroupAdmin = Pick<Admin, 'fetchOffsets' | 'fetchGroupOffsets' | 'setOffsets' | 'resetOffsets' | 'listGroups' | 'describeGroups' | 'deleteGroups'>;

interface TopicHelpers {
  partitionsOf(topic: string): Promise<number[]>;
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
}

/** The states in which a group has no members, so its offsets may be set from outside. */
const MEMBERLESS = new Set(['Empty', 'Dead']);

export function groupAdminOf(client: PltAdmin, topics: TopicHelpers): GroupAdmin {
  const describeGroups: GroupAdmin['describeGroups'] = async (groupIds) => {
    const described = await client.describeGroups({ groups: groupIds });
    return {
      groups: [...described.values()].map((g) => ({
        groupId: g.id,
        state: g.state,
        protocol: g.protocol,
        members: [...g.members.values()].map((m) => ({ memberId: m.id, clientId: m.clientId, clientHost: m.clientHost })),
      })),
    };
  };

  const setOffsets: GroupAdmin['setOffsets'] = async ({ groupId, topic, partitions }) => {
    const [group] = (await describeGroups([groupId])).groups;
    if (group && !MEMBERLESS.has(group.state)) {
      throw new KafkaPortUsageError(`The consumer group must have no running instances, current state: ${group.state}`);
    }
    await client.alterConsumerGroupOffsets({
      groupId,
      topics: [{ name: topic, partitionOffsets: partitions.map(({ partition, offset }) => ({ partition, offset: BigInt(offset) })) }],
    });
  };

  return {
    fetchOffsets: async ({ groupId, topics: names }) => {
      const groups = await client.listConsumerGroupOffsets({
        groups: [{ groupId, topics: await Promise.all(names.map(async (name) => ({ name, partitionIndexes: await topics.partitionsOf(name) }))) }],
      });
      const listed = new Map((groups[0]?.topics ?? []).map((t) => [t.name, t.partitions] as const));
      return names.map((topic) => ({
        topic,
        partitions: (listed.get(topic) ?? [])
          .map((p) => ({ partition: p.partitionIndex, offset: p.committedOffset.toString() }))
          .sort((a, b) => a.partition - b.partition),
      }));
    },
    // Without topics the broker answers every topic the group has committed offsets on.
    fetchGroupOffsets: async (groupId) => {
      const [group] = await client.listConsumerGroupOffsets({ groups: [groupId] });
      return (group?.topics ?? []).map((t) => ({
        topic: t.name,
        partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.committedOffset.toString() })).sort((a, b) => a.partition - b.partition),
      }));
    },
    setOffsets,
    // The watermarks themselves are committed (not kafkajs' -2/-1 markers, which a consumer reads as
    // "no offset" and replaces with its own fromBeginning choice), so the group starts where asked.
    resetOffsets: async ({ groupId, topic, earliest = false }) => {
      const offsets = await topics.fetchTopicOffsets(topic);
      await setOffsets({ groupId, topic, partitions: offsets.map(({ partition, low, high }) => ({ partition, offset: earliest ? low : high })) });
    },
    listGroups: async () => {
      const groups = await client.listGroups();
      return { groups: [...groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType })) };
    },
    describeGroups,
    deleteGroups: async (groupIds) => {
      try {
        await client.deleteGroups({ groups: groupIds });
      } catch (error) {
        throw new KafkaGroupsNotDeletedError(notDeleted(error, groupIds), { cause: error });
      }
    },
  };
}

/** The groups a failed DeleteGroups left: those its response gives an error for, else all asked for. */
function notDeleted(error: unknown, asked: string[]): string[] {
  const response = findErrorBy(error as Error, 'code', 'PLT_KFK_RESPONSE')?.['response'] as { results?: { groupId: string; errorCode: number }[] } | undefined;
  const failed = response?.results?.filter((r) => r.errorCode !== 0).map((r) => r.groupId);
  return failed && failed.length > 0 ? failed : asked;
}
