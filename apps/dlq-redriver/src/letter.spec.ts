import type { KafkaMessage } from '@ingest-mesh/kafka-client';
import { describe, expect, it } from 'vitest';
import { decodeHeaders, dispositionOf, readLetter, type Letter } from './letter.js';

const message = (headers: Record<string, string>, extra: Partial<KafkaMessage> = {}): KafkaMessage =>
  ({
    key: Buffer.from('acme:customer:1'),
    value: Buffer.from([0, 1, 2]),
    timestamp: '1735689600000',
    attributes: 0,
    offset: '42',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    ...extra,
  }) as KafkaMessage;

const dlqHeaders = {
  'x-mesh-origin-topic': 'sink.postgres',
  'x-mesh-origin-partition': '2',
  'x-mesh-origin-offset': '1007',
  'x-mesh-app': 'sink-postgres',
  'x-mesh-reason': 'CONNECTION_ERROR',
  'x-mesh-retryable': 'true',
  'x-mesh-attempts': '5',
  'x-mesh-first-failure-at': '2025-01-01T00:00:00.000Z',
  'x-mesh-last-failure-at': '2025-01-01T00:00:05.000Z',
  'x-mesh-error': 'connect ECONNREFUSED 127.0.0.1:5432',
  'x-mesh-tenant': 'acme',
  traceparent: '00-abc-def-01',
};

const policy = { autoRedrive: true, tiersMs: [60_000, 600_000], maxRedrives: 2 };

describe('readLetter', () => {
  it('reads the mesh headers into fields and keeps every header byte for byte', () => {
    const l = readLetter({ topic: 'dlq.sink-postgres', partition: 1, message: message(dlqHeaders) });
    expect(l).toMatchObject({
      dlqTopic: 'dlq.sink-postgres',
      dlqPartition: 1,
      dlqOffset: '42',
      originTopic: 'sink.postgres',
      originPartition: 2,
      originOffset: '1007',
      app: 'sink-postgres',
      reason: 'CONNECTION_ERROR',
      retryable: true,
      attempts: 5,
      redriveAttempt: 0,
      redriveId: null,
      tenant: 'acme',
      lastFailureAt: '2025-01-01T00:00:05.000Z',
    });
    expect(decodeHeaders(l.headers)['traceparent']).toEqual([Buffer.from('00-abc-def-01')]);
    expect(l.payload).toEqual(Buffer.from([0, 1, 2]));
  });

  it('reads the redrive id and attempt a redriven record came back with', () => {
    const l = readLetter({ topic: 'dlq.x', partition: 0, message: message({ ...dlqHeaders, 'x-mesh-redrive-id': 'r-1', 'x-mesh-redrive-attempt': '2' }) });
    expect(l.redriveId).toBe('r-1');
    expect(l.redriveAttempt).toBe(2);
  });

  it('copes with a record that is not a mesh dead letter', () => {
    const l = readLetter({ topic: 'dlq.legacy', partition: 0, message: message({}) });
    expect(l).toMatchObject({ app: 'legacy', reason: 'UNKNOWN', retryable: false, originTopic: null, lastFailureAt: '2025-01-01T00:00:00.000Z' });
  });
});

describe('dispositionOf (the loop guard)', () => {
  const base = readLetter({ topic: 'dlq.sink-postgres', partition: 0, message: message(dlqHeaders) });
  const at = (l: Partial<Letter>) => dispositionOf({ ...base, ...l }, policy);

  it('schedules a retryable letter on the tier of its redrive attempt', () => {
    expect(at({})).toEqual({ status: 'new', note: null, nextRedriveAt: '2025-01-01T00:01:05.000Z' });
    expect(at({ redriveAttempt: 1 }).nextRedriveAt).toBe('2025-01-01T00:10:05.000Z');
  });

  it('quarantines a letter that failed again after the last allowed redrive', () => {
    expect(at({ redriveAttempt: 2 })).toMatchObject({ status: 'quarantined', nextRedriveAt: null, note: 'failed again after 2 redrive(s) (limit 2)' });
  });

  it('uses the last tier when more redrives than tiers are allowed', () => {
    expect(dispositionOf({ ...base, redriveAttempt: 4 }, { ...policy, maxRedrives: 9 }).nextRedriveAt).toBe('2025-01-01T00:10:05.000Z');
  });

  it('leaves non-retryable letters (and everything when auto-redrive is off) for a person', () => {
    expect(at({ retryable: false })).toEqual({ status: 'new', note: null, nextRedriveAt: null });
    expect(dispositionOf(base, { ...policy, autoRedrive: false }).nextRedriveAt).toBeNull();
  });

  it('quarantines a letter without origin coordinates: it cannot be redriven', () => {
    expect(at({ originTopic: null }).status).toBe('quarantined');
  });
});
