export * from './port.js';
export { createKafkaClient, kafkaClientKind } from './create.js';
export { KafkaGroupsNotDeletedError, KafkaPortUsageError } from './errors.js';
