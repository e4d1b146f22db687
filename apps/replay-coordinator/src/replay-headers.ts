// What a replayed record carries: the original key, value and headers untouched, plus where it
// came from and which plan sent it. The runtime keeps x-mesh-replay-id when it dead-letters a
// replayed record again, so a letter can be traced back to its plan.
import type { KafkaMessage, MessageHeaders } from '@ingest-mesh/kafka-client';
import { REDRIVE_HEADERS } from '@ingest-mesh/kafka-runtime';

export const REPLAY_SOURCE_HEADER = 'x-mesh-replay-source';

export function replayHeaders(planId: string, topic: string, partition: number, message: Pick<KafkaMessage, 'headers' | 'offset'>): MessageHeaders {
  const headers: MessageHeaders = { ...(message.headers ?? {}) };
  headers[REDRIVE_HEADERS.replayId] = planId;
  // topic/partition/offset: '/' never occurs in a topic name.
  headers[REPLAY_SOURCE_HEADER] = `${topic}/${partition}/${message.offset}`;
  return headers;
}
