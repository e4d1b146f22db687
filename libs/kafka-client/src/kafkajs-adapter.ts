// The port on kafkajs 2.2 (the client the mesh was built on): mostly kafkajs itself, whose shapes
// the port keeps. Its own log lines go to the given logger.
import { Kafka, logLevel, Partitioners, type Consumer as KjsConsumer, type LogEntry } from 'kafkajs';
import { KafkaGroupsNotDeletedError } from './errors.js';
import { recoveringProducer } from './kafkajs-producer.js';
import { silenceKafkajsNegativeTimeoutWarning } from './kafkajs-warning.js';
import type { Admin, Consumer, ConsumerOptions, KafkaClient, KafkaClientOptions, KafkaLogger, Producer, ProducerOptions } from './port.js';

/** ConfigResourceTypes.TOPIC: kafkajs' CommonJS exports hide that enum from ESM named imports. */
const TOPIC_RESOURCE = 2;

export function createKafkajsClient(opts: KafkaClientOptions): KafkaClient {
  silenceKafkajsNegativeTimeoutWarning();
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: opts.logger ? logLevel.WARN : logLevel.NOTHING,
    retry: { initialRetryTime: opts.initialRetryTimeMs ?? 200, retries: opts.retries ?? 8 },
    ...(opts.connectionTimeoutMs === undefined ? {} : { connectionTimeout: opts.connectionTimeoutMs }),
    ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeout: opts.requestTimeoutMs }),
    ...(opts.logger ? { logCreator: logCreator(opts.logger) } : {}),
  });
  return {
    kind: 'kafkajs',
    producer: (options: ProducerOptions = {}): Producer => {
      const create = () =>
        kafka.producer({
          idempotent: options.idempotent ?? false,
          ...(options.maxInFlightRequests === undefined ? {} : { maxInFlightRequests: options.maxInFlightRequests }),
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
      // Only an idempotent producer has state on the broker to lose.
      if (!options.idempotent) return create();
      return recoveringProducer(create, ({ error, replacements }) =>
        opts.logger?.warn({ err: error, replacements }, "the broker lost this producer's idempotence state; sending again with a new producer id"),
      );
    },
    consumer: (options: ConsumerOptions): Consumer => consumerOf(kafka.consumer({ ...options, allowAutoTopicCreation: false })),
    admin: (): Admin => adminOf(kafka),
  };
}

function logCreator(logger: KafkaLogger) {
  return () => (entry: LogEntry) => {
    const { message, ...rest } = entry.log;
    const fields = { kafka: entry.namespace, ...rest };
    if (entry.level === logLevel.ERROR) logger.error(fields, message);
    else if (entry.level === logLevel.WARN) logger.warn(fields, message);
    else if (entry.level === logLevel.INFO) logger.info(fields, message);
    else logger.debug(fields, message);
  };
}

function consumerOf(consumer: KjsConsumer): Consumer {
  return {
    connect: () => consumer.connect(),
    disconnect: () => consumer.disconnect(),
    subscribe: (s) => consumer.subscribe({ topics: s.topics, fromBeginning: s.fromBeginning ?? false }),
    run: (options) => consumer.run(options),
    stop: () => consumer.stop(),
    pause: (topics) => consumer.pause(topics),
    resume: (topics) => consumer.resume(topics),
    seek: (position) => consumer.seek(position),
    commitOffsets: (offsets) => consumer.commitOffsets(offsets),
    onGroupJoin: (listener) => {
      consumer.on(consumer.events.GROUP_JOIN, () => listener());
    },
    onCrash: (listener) => {
      consumer.on(consumer.events.CRASH, (e) => listener({ error: e.payload.error, restart: e.payload.restart }));
    },
  };
}

function adminOf(kafka: Kafka): Admin {
  const admin = kafka.admin();
  return {
    connect: () => admin.connect(),
    disconnect: () => admin.disconnect(),
    listTopics: () => admin.listTopics(),
    // kafkajs answers false when some topics existed even if it created others: asking only for
    // the missing ones makes the answer the port's (true when it created any).
    createTopics: async (request) => {
      const existing = new Set(await admin.listTopics());
      const missing = request.topics.filter((t) => !existing.has(t.topic));
      return missing.length > 0 && admin.createTopics({ ...request, topics: missing });
    },
    deleteTopics: (request) => admin.deleteTopics(request),
    fetchTopicMetadata: (request) => admin.fetchTopicMetadata(request),
    describeTopicConfigs: async (topics, names) => {
      const described = await admin.describeConfigs({
        resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, ...(names ? { configNames: names } : {}) })),
        includeSynonyms: false,
      });
      return new Map(described.resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
    },
    fetchTopicOffsets: (topic) => admin.fetchTopicOffsets(topic),
    fetchTopicOffsetsByTimestamp: (topic, timestamp) => admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
    fetchOffsets: (request) => admin.fetchOffsets(request),
    setOffsets: (request) => admin.setOffsets(request),
    // kafkajs' resetOffsets commits the markers -2/-1, which a consumer reads as "no offset" and
    // replaces with its own fromBeginning: the watermarks themselves put the group where asked.
    resetOffsets: async ({ groupId, topic, earliest = false }) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, low, high }) => ({ partition, offset: earliest ? low : high })) });
    },
    listGroups: () => admin.listGroups(),
    describeGroups: (groupIds) => admin.describeGroups(groupIds),
    deleteGroups: async (groupIds) => {
      await admin.deleteGroups(groupIds).catch((error: unknown) => {
        // kafkajs names the failed groups as { groupId, errorCode, error } objects: the port gives their ids.
        const failed = (error as { groups?: { groupId: string }[] }).groups?.map((g) => g.groupId);
        throw new KafkaGroupsNotDeletedError(failed && failed.length > 0 ? failed : groupIds, { cause: error });
      });
    },
    describeCluster: () => admin.describeCluster(),
    fetchGroupOffsets: (groupId) => admin.fetchOffsets({ groupId }),
  };
}
