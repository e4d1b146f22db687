// One kafkajs client per app, logging through the app's pino logger.
import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function createKafka(opts: { clientId: string; brokers: string[]; logger: KafkaLogger }): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const fields = { kafka: entry.namespace, ...rest };
      if (entry.level === logLevel.ERROR) opts.logger.error(fields, message);
      else if (entry.level === logLevel.WARN) opts.logger.warn(fields, message);
      else if (entry.level === logLevel.INFO) opts.logger.info(fields, message);
      else opts.logger.debug(fields, message);
    },
  });
}
