// The port on @platformatic/kafka 2.12: a client with no deserialisation (bytes in, bytes out),
// the kafkajs adapter's retry budget, Java-compatible key partitioning, and a consumer that drives
// its own per-partition fetch loop over the client's group membership. The parts live in
// platformatic/: producer, consumer (runner, fetcher, batch handler, cursors), admin.
import type { KafkaClient, KafkaClientOptions } from './port.js';
import { adminOf } from './platformatic/admin.js';
import { consumerOf } from './platformatic/consumer.js';
import { baseOptionsOf } from './platformatic/options.js';
import { producerOf } from './platformatic/producer.js';

export function createPlatformaticClient(opts: KafkaClientOptions): KafkaClient {
  const base = baseOptionsOf(opts);
  const context = { base, retries: opts.retries ?? 8, initialRetryTimeMs: opts.initialRetryTimeMs ?? 200, logger: opts.logger };
  return {
    kind: 'platformatic',
    producer: (options = {}) => producerOf(base, options),
    consumer: (options) => consumerOf(context, options),
    admin: () => adminOf(base),
  };
}
