// The load under chaos: the planned records at a steady rate, one send in flight at a time, each
// retried until Kafka acknowledges it (acks=all). A record counts as sent once acknowledged. A
// retried send may have been written before the failure was seen, so the raw topic can hold it
// twice — the router's dedupe (or a sink's revision guard) must absorb that copy. One send in
// flight keeps the order per key, so a retried copy never lands after a newer revision.
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';

export interface ProduceResult {
  acked: number;
  /** Sends that failed and were retried (Kafka away or electing). */
  retries: number;
}

export async function produceUnderChaos(brokers: string[], topic: string, messages: readonly Message[], durationMs: number, log: (line: string) => void): Promise<ProduceResult> {
  const kafka = new Kafka({
    clientId: 'chaos-producer',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 2_000 },
  });
  let producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = Date.now();
  const tickMs = 200;
  let acked = 0;
  let retries = 0;
  let lastComplaint = 0;
  while (acked < messages.length) {
    const due = Math.min(messages.length, Math.ceil(((Date.now() - started + tickMs) / durationMs) * messages.length));
    // Behind schedule after an outage: catch up in bounded chunks.
    const batch = messages.slice(acked, Math.min(due, acked + 500));
    if (batch.length > 0) {
      try {
        await producer.send({ topic, acks: -1, timeout: 10_000, messages: [...batch] });
        acked += batch.length;
      } catch (err) {
        retries += 1;
        if (Date.now() - lastComplaint > 5_000) {
          log(`producer: send failed (${(err as Error).message}); retrying until acknowledged`);
          lastComplaint = Date.now();
        }
        await new Promise((r) => setTimeout(r, 500));
        // A producer that lost its broker for long can stay disconnected: start a fresh one.
        if (retries % 10 === 0) {
          await producer.disconnect().catch(() => undefined);
          producer = kafka.producer({ allowAutoTopicCreation: false });
          await producer.connect().catch(() => undefined);
        }
        continue;
      }
    }
    if (acked < messages.length) await new Promise((r) => setTimeout(r, tickMs));
  }
  await producer.disconnect().catch(() => undefined);
  return { acked, retries };
}
