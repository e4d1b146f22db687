// Dead-letters records: the original key and value bytes unchanged, the original headers kept,
// plus the mesh's DLQ headers saying where the record came from and why it failed.
import type { KafkaMessage, MessageHeaders, Producer } from '@ingest-mesh/kafka-client';
import { boundedMessage, type Classification } from '@ingest-mesh/reason-codes';
import { DLQ_HEADERS, headerInt, headerString } from './headers.js';

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  failure: Classification;
  /** Attempts made by this app for this delivery (in-place retries included). */
  attempts: number;
  tenant?: string | undefined;
  dedupeKey?: string | undefined;
}

export interface DlqPublisherOptions {
  producer: Producer;
  app: string;
  topic?: string;
  now?: () => Date;
}

export class DlqPublisher {
  readonly topic: string;
  private readonly producer: Producer;
  private readonly app: string;
  private readonly now: () => Date;

  constructor(opts: DlqPublisherOptions) {
    this.producer = opts.producer;
    this.app = opts.app;
    this.topic = opts.topic ?? `dlq.${opts.app}`;
    this.now = opts.now ?? (() => new Date());
  }

  /** One produce request for the whole set; resolves once the broker has acknowledged all of them. */
  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    // One failure time for the set: the letters of one round failed together.
    const at = this.now().toISOString();
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((l) => ({ key: l.message.key, value: l.message.value, headers: this.headersFor(l, at) })),
    });
  }

  /** The letter's headers; `at` (ISO time of the failure) defaults to now. */
  headersFor(letter: DeadLetter, at: string = this.now().toISOString()): MessageHeaders {
    const original = letter.message.headers ?? {};
    // A record that comes back from a redrive carries its earlier failures: keep counting.
    const earlierAttempts = headerInt(original, DLQ_HEADERS.attempts) ?? 0;
    const firstFailureAt = headerString(original, DLQ_HEADERS.firstFailureAt) ?? at;
    const headers: MessageHeaders = { ...original };
    const set = (name: string, value: string | undefined) => {
      if (value !== undefined) headers[name] = value;
    };
    set(DLQ_HEADERS.originTopic, headerString(original, DLQ_HEADERS.originTopic) ?? letter.topic);
    set(DLQ_HEADERS.originPartition, headerString(original, DLQ_HEADERS.originPartition) ?? String(letter.partition));
    set(DLQ_HEADERS.originOffset, headerString(original, DLQ_HEADERS.originOffset) ?? letter.message.offset);
    set(DLQ_HEADERS.app, this.app);
    set(DLQ_HEADERS.reason, letter.failure.code);
    set(DLQ_HEADERS.retryable, String(letter.failure.retryable));
    set(DLQ_HEADERS.attempts, String(earlierAttempts + letter.attempts));
    set(DLQ_HEADERS.firstFailureAt, firstFailureAt);
    set(DLQ_HEADERS.lastFailureAt, at);
    set(DLQ_HEADERS.error, boundedMessage(letter.failure.message));
    set(DLQ_HEADERS.tenant, letter.tenant ?? headerString(original, DLQ_HEADERS.tenant));
    set(DLQ_HEADERS.dedupeKey, letter.dedupeKey ?? headerString(original, DLQ_HEADERS.dedupeKey));
    return headers;
  }
}
