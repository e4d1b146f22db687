// The load under chaos: the planned records at a steady rate, one send in flight at a time, each
// retried until Kafka acknowledges it (acks=all). A record counts as sent once acknowledged. A
// retried send may have been written before the failure was seen, so the raw topic can hold it
// twice — the router's dedupe (or a sink's revision guard) must absorb that copy. One send in
// flight keeps the order per key, so a retried copy never lands after a newer revision.
// Messages go out when due (load-plan.ts paceLoad: a steady pace, plus one tenant's burst above
// its rate limit), stamped with the time of the send.
import { createKafkaClient, type Message, type Producer } from '@ingest-mesh/kafka-client';

export interface ProduceResult {
  acked: number;
  /** Sends that failed and were retried (Kafka away or electing). */
  retries: number;
  /** Per message (in order), the timestamp (epoch ms) it was acknowledged with: when it was offered. */
  offeredAt: number[];
}

/** A message and when (ms after the start) it is due. */
export interface Scheduled {
  message: Message;
  dueMs: number;
}

/**
 * Sends every message once it is due (messages sorted by dueMs), in ticks of 50 ms, at most 500
 * per send; behind schedule (after an outage) it catches up in such chunks. Each send stamps its
 * messages with the current time (their Kafka timestamp: what the router judges a tenant's
 * offered rate by), a retry with the time of the retry.
 */
export async function produceUnderChaos(brokers: string[], topic: string, messages: readonly Scheduled[], log: (line: string) => void): Promise<ProduceResult> {
  const kafka = createKafkaClient({
    clientId: 'chaos-producer',
    brokers,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 10_000,
    retries: 2,
    initialRetryTimeMs: 300,
  });
  let producer: Producer = kafka.producer();
  await producer.connect();
  const started = Date.now();
  const tickMs = 50;
  const offeredAt: number[] = [];
  let acked = 0;
  let retries = 0;
  let lastComplaint = 0;
  let due = 0;
  while (acked < messages.length) {
    const horizon = Date.now() - started + tickMs;
    while (due < messages.length && messages[due]!.dueMs <= horizon) due += 1;
    const batch = messages.slice(acked, Math.min(due, acked + 500));
    if (batch.length > 0) {
      const now = Date.now();
      try {
        await producer.send({ topic, acks: -1, timeout: 10_000, messages: batch.map((m) => ({ ...m.message, timestamp: String(now) })) });
        acked += batch.length;
        for (let i = 0; i < batch.length; i++) offeredAt.push(now);
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
          producer = kafka.producer();
          await producer.connect().catch(() => undefined);
        }
        continue;
      }
      // Behind schedule: the next chunk goes at once.
      if (due - acked > 0) continue;
    }
    if (acked < messages.length) await new Promise((r) => setTimeout(r, tickMs));
  }
  await producer.disconnect().catch(() => undefined);
  return { acked, retries, offeredAt };
}
