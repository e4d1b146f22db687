// The port's Producer on @platformatic/kafka: bytes in (no serialisers), one produce request per
// broker for a whole send or sendBatch, keys placed by the Java-compatible partitioner, and an
// idempotent producer (producer id + sequence numbers) when asked, which requires acks=all as
// kafkajs requires it. The per-send `timeout` is not available: the client applies its own
// request timeout to every produce.
import { ProduceAcks, Producer as PltProducer, type BaseOptions, type MessageToProduce } from '@platformatic/kafka';
import { KafkaPortUsageError } from '../errors.js';
import type { Acks, Message, Producer, ProducerOptions, RecordMetadata } from '../port.js';
import { javaCompatiblePartitioner } from './partitioner.js';

export function producerOf(base: BaseOptions, options: ProducerOptions): Producer {
  const idempotent = options.idempotent ?? false;
  const client = new PltProducer({
    ...base,
    idempotent,
    partitioner: javaCompatiblePartitioner(),
    ...(options.maxInFlightRequests === undefined ? {} : { maxInflights: options.maxInFlightRequests }),
  });

  const send = async (topicMessages: { topic: string; messages: Message[] }[], acks: Acks = ProduceAcks.ALL): Promise<RecordMetadata[]> => {
    if (idempotent && acks !== ProduceAcks.ALL) {
      throw new KafkaPortUsageError(`an idempotent producer needs acks=-1 (all), got ${acks}`);
    }
    const messages = topicMessages.flatMap(({ topic, messages }) => messages.map((m) => toProduce(topic, m)));
    if (messages.length === 0) return [];
    const result = await client.send({ messages, acks });
    return (result.offsets ?? []).map(({ topic, partition, offset }) => ({ topicName: topic, partition, errorCode: 0, baseOffset: offset.toString() }));
  };

  return {
    // The client connects lazily; asking for the cluster's metadata proves the brokers answer.
    connect: async () => {
      await client.metadata({ topics: [] });
    },
    disconnect: () => client.close(),
    send: (record) => send([{ topic: record.topic, messages: record.messages }], record.acks),
    sendBatch: (batch) => send(batch.topicMessages, batch.acks),
  };
}

function toProduce(topic: string, message: Message): MessageToProduce {
  // Keyed by a fresh Buffer per entry, so a repeated header (an array) is written once per value.
  const headers = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    // A header without a value is written with a null value, as kafkajs writes it.
    for (const one of Array.isArray(value) ? value : [value]) headers.set(Buffer.from(name), one === undefined ? NULL_BYTES : bytes(one));
  }
  return {
    topic,
    ...(message.key === undefined || message.key === null ? {} : { key: bytes(message.key) }),
    // A tombstone: the client's schema requires `value` and its record writer writes null as null.
    value: message.value === null ? NULL_BYTES : bytes(message.value),
    ...(message.partition === undefined ? {} : { partition: message.partition }),
    ...(message.timestamp === undefined ? {} : { timestamp: BigInt(message.timestamp) }),
    headers,
  };
}

/** null where the client's types say Buffer but its record writer takes null (a null length, -1). */
const NULL_BYTES = null as unknown as Buffer;

function bytes(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}
