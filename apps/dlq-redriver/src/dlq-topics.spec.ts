import { describe, expect, it } from 'vitest';
import { newTopics, selectDlqTopics } from './dlq-topics.js';

describe('DLQ topic discovery', () => {
  const all = ['dlq.sink-postgres', 'dlq.ingest-router', 'sink.postgres', 'mesh.events', 'legacy-dead', '__consumer_offsets'];

  it('takes the topics matching the pattern, the listed ones that exist, and its own DLQ', () => {
    expect(selectDlqTopics(all, /^dlq\./, ['legacy-dead', 'missing'], 'dlq.dlq-redriver')).toEqual([
      'dlq.dlq-redriver',
      'dlq.ingest-router',
      'dlq.sink-postgres',
      'legacy-dead',
    ]);
  });

  it('is never empty', () => {
    expect(selectDlqTopics([], /^dlq\./, [], 'dlq.dlq-redriver')).toEqual(['dlq.dlq-redriver']);
  });

  it('restarts only for topics that appeared', () => {
    expect(newTopics(['dlq.a', 'dlq.b'], ['dlq.a'])).toEqual([]);
    expect(newTopics(['dlq.a'], ['dlq.a', 'dlq.c'])).toEqual(['dlq.c']);
  });
});
