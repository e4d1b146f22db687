// The port's Producer on kafkajs, for an idempotent producer that lost its state on the broker.
// After a broker restart the broker may answer OUT_OF_ORDER_SEQUENCE_NUMBER (or
// UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_EPOCH) to a producer whose sequence numbers it no longer
// tracks. kafkajs treats that as final and keeps its producer id and sequences, so every later
// send fails the same way: the chaos run saw the router dead-letter 3,276 records after one
// Kafka stop. The Java client (KIP-360) and @platformatic/kafka start over with a new producer id;
// so does this: the kafkajs producer is replaced and the send tried again. A record whose first
// attempt the broker had written may be written twice; the sinks' revision guards and the
// router's dedupe make a copy a no-op, and nothing is lost.
import type { Producer as KjsProducer } from 'kafkajs';
import type { Producer, ProducerRecord, RecordMetadata } from './port.js';

/** Broker errors that mean the producer's idempotence state is gone: a new producer id heals them. */
export const PRODUCER_STATE_LOST: ReadonlySet<string> = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/** Replacements one send may cause before its error is the caller's. */
export const MAX_REPLACEMENTS_PER_SEND = 3;

/** The broker error type of a kafkajs error or of one it wraps (cause, originalError). */
export function producerStateLost(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 8; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && PRODUCER_STATE_LOST.has(type)) return true;
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

export interface ReplacementEvent {
  error: unknown;
  replacements: number;
}

export function recoveringProducer(create: () => KjsProducer, onReplaced?: (e: ReplacementEvent) => void): Producer {
  let current = create();
  let connected = false;
  let replacements = 0;
  // One replacement at a time: sends that failed together wait for the same new producer.
  let replacing: Promise<void> | undefined;

  const replace = (failed: KjsProducer, error: unknown): Promise<void> => {
    if (failed !== current) return replacing ?? Promise.resolve();
    replacing ??= (async () => {
      const old = current;
      current = create();
      replacements += 1;
      await old.disconnect().catch(() => undefined);
      if (connected) await current.connect();
      onReplaced?.({ error, replacements });
    })().finally(() => (replacing = undefined));
    return replacing;
  };

  const attempt = async (send: (p: KjsProducer) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> => {
    for (let replaced = 0; ; replaced++) {
      await replacing;
      const used = current;
      try {
        return await send(used);
      } catch (error) {
        if (!producerStateLost(error) || replaced >= MAX_REPLACEMENTS_PER_SEND) throw error;
        await replace(used, error);
      }
    }
  };

  return {
    connect: async () => {
      await current.connect();
      connected = true;
    },
    disconnect: async () => {
      connected = false;
      await replacing?.catch(() => undefined);
      await current.disconnect();
    },
    send: (record: ProducerRecord) => attempt((p) => p.send(record)),
    sendBatch: (batch) => attempt((p) => p.sendBatch(batch)),
  };
}
