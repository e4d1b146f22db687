import { describe, expect, it } from 'vitest';
import { baseOptionsOf, retryWait } from './options.js';

describe('platformatic client options', () => {
  it('retries like the kafkajs adapter: initial wait doubling, capped at 30 s', () => {
    expect([1, 2, 3, 4].map((attempt) => retryWait(200, attempt))).toEqual([200, 400, 800, 1600]);
    expect(retryWait(200, 20)).toBe(30_000);
  });

  it('carries the port options over, with the adapters’ shared defaults', () => {
    const base = baseOptionsOf({ clientId: 'c', brokers: ['127.0.0.1:9092'], requestTimeoutMs: 9000 });
    expect(base).toMatchObject({ clientId: 'c', bootstrapBrokers: ['127.0.0.1:9092'], retries: 8, autocreateTopics: false, requestTimeout: 9000 });
    expect(base).not.toHaveProperty('connectTimeout');
  });
});
