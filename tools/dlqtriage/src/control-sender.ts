// Publishes one signed dlq command on the control topic. Kafka and the registry are given a few
// seconds: an operator at 3 a.m. wants "cannot reach Kafka" (exit 3), not a hang.
import { createSchemaRegistry } from '@ingest-mesh/avro';
import { createKafkaClient } from '@ingest-mesh/kafka-client';
import { ControlCodec, newCommand, publishCommand, signCommand, type ControlCommand, type NewCommandInput } from '@ingest-mesh/control';
import type { CliConfig } from './config.js';
import { unreachable } from './exit-codes.js';

export async function sendCommand(config: CliConfig, input: Omit<NewCommandInput, 'issuedBy'>): Promise<ControlCommand> {
  const cmd = signCommand(newCommand({ ...input, issuedBy: config.operator }), config.secret());
  const kafka = createKafkaClient({
    clientId: `dlqtriage-${process.pid}`,
    brokers: config.brokers,
    connectionTimeoutMs: 3000,
    retries: 2,
    initialRetryTimeMs: 300,
  });
  const producer = kafka.producer();
  try {
    await producer.connect();
  } catch (err) {
    throw unreachable(`Kafka (KAFKA_BROKERS=${config.brokers.join(',')})`, err);
  }
  try {
    const codec = new ControlCodec(createSchemaRegistry({ host: config.registryUrl }));
    await codec.schemaId().catch((err: unknown) => {
      throw unreachable(`the schema registry (SCHEMA_REGISTRY_URL=${config.registryUrl})`, err);
    });
    await publishCommand(producer, codec, cmd, config.controlTopic).catch((err: unknown) => {
      throw unreachable(`Kafka topic ${config.controlTopic}`, err);
    });
    return cmd;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
