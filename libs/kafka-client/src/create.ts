// One factory for every Kafka client in the mesh: the adapter MESH_KAFKA_CLIENT names.
import { createKafkajsClient } from './kafkajs-adapter.js';
import { createPlatformaticClient } from './platformatic-adapter.js';
import { KAFKA_CLIENT_KINDS, type KafkaClient, type KafkaClientKind, type KafkaClientOptions } from './port.js';

/**
 * The adapter when MESH_KAFKA_CLIENT is unset: @platformatic/kafka, ahead of kafkajs in every
 * figure of the bench (docs/benchmarks.md) and through the same chaos run. kafkajs stays supported.
 */
export const DEFAULT_KAFKA_CLIENT: KafkaClientKind = 'platformatic';

/** The adapter an environment selects (MESH_KAFKA_CLIENT, default DEFAULT_KAFKA_CLIENT); a wrong value names the choices. */
export function kafkaClientKind(env: Record<string, string | undefined> = process.env): KafkaClientKind {
  const value = env['MESH_KAFKA_CLIENT'] || DEFAULT_KAFKA_CLIENT;
  if ((KAFKA_CLIENT_KINDS as readonly string[]).includes(value)) return value as KafkaClientKind;
  throw new Error(`MESH_KAFKA_CLIENT: expected one of ${KAFKA_CLIENT_KINDS.join(', ')}, got "${value}"`);
}

export function createKafkaClient(opts: KafkaClientOptions & { kind?: KafkaClientKind }): KafkaClient {
  const kind = opts.kind ?? kafkaClientKind();
  switch (kind) {
    case 'kafkajs':
      return createKafkajsClient(opts);
    case 'platformatic':
      return createPlatformaticClient(opts);
  }
}
