// The webhook's produce, on the mesh's Kafka producer: one send for the whole request, acknowledged
// by all in-sync replicas (acks -1), so a resolved promise means the records are durable.
import type { Producer } from '@ingest-mesh/kafka-client';
import type { WebhookMessage } from './messages.js';

export function kafkaProduce(producer: Producer, topic: string): (messages: WebhookMessage[]) => Promise<void> {
  return async (messages) => {
    await producer.send({ topic, acks: -1, messages });
  };
}
