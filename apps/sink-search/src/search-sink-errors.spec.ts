// sink-search fails with typed errors only: a bulk answer that does not match the request is a
// bug (INTERNAL_ERROR, never retried), not a bare Error that classify() would have to guess at.
import { InternalError } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import type { BulkItem } from './search-backend.js';
import { SearchSink } from './search-sink.js';
import { FakeBackend } from './test-support/fake-backend.js';
import { record } from './test-support/records.js';

class ShortAnswerBackend extends FakeBackend {
  override async bulk(items: readonly BulkItem[]) {
    return (await super.bulk(items)).slice(1);
  }
}

describe('SearchSink typed errors', () => {
  it('a bulk answer with fewer items than sent is an InternalError, not retryable', async () => {
    const failure = new SearchSink({ backend: new ShortAnswerBackend() }).writeBatch([record({ id: 'a', revision: 1 }), record({ id: 'b', revision: 1 })], {
      signal: new AbortController().signal,
    });
    await expect(failure).rejects.toBeInstanceOf(InternalError);
    await expect(failure).rejects.toMatchObject({ code: 'INTERNAL_ERROR', retryable: false, message: 'bulk answered 1 items for 2' });
  });
});
