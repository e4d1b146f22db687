export * from './port.js';
export { createKafkaClient, DEFAULT_KAFKA_CLIENT, kafkaClientKind } from './create.js';
export { KafkaGroupsNotDeletedError, KafkaPortUsageError } from './errors.js';
