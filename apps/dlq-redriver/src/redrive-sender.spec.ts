import { describe, expect, it } from 'vitest';
import { bulkAction } from './job-runner.js';
import { encodeHeaders } from './letter.js';
import { redriveMessage } from './redrive-sender.js';

describe('redriveMessage', () => {
  it('sends the original key, value and headers back, plus the redrive id and the next attempt', () => {
    const headers = encodeHeaders({ traceparent: Buffer.from('00-abc'), 'x-mesh-origin-topic': 'sink.postgres', multi: [Buffer.from('a'), Buffer.from('b')] });
    const m = redriveMessage({
      id: '7',
      origin_topic: 'sink.postgres',
      record_key: Buffer.from('acme:customer:1'),
      payload: Buffer.from([0, 9]),
      headers,
      sent_redrive_id: 'r-7',
      redrive_attempt: 1,
    });
    expect(m.key).toEqual(Buffer.from('acme:customer:1'));
    expect(m.value).toEqual(Buffer.from([0, 9]));
    expect(m.headers).toEqual({
      traceparent: Buffer.from('00-abc'),
      'x-mesh-origin-topic': Buffer.from('sink.postgres'),
      multi: [Buffer.from('a'), Buffer.from('b')],
      'x-mesh-redrive-id': 'r-7',
      'x-mesh-redrive-attempt': '2',
    });
  });

  it('keeps a tombstone a tombstone', () => {
    expect(
      redriveMessage({ id: '1', origin_topic: 't', record_key: Buffer.from('k'), payload: null, headers: null, sent_redrive_id: 'r', redrive_attempt: 0 })
        .value,
    ).toBeNull();
  });
});

describe('bulkAction', () => {
  it('purges everything but rows in flight, dropping the bytes', () => {
    const [from, set] = bulkAction({ type: 'purge' }, '$3::text');
    expect(from).toBe(`status NOT IN ('redriving', 'purged')`);
    expect(set).toContain('record_key = NULL, payload = NULL, headers = NULL');
    expect(set).toContain('status_note = $3::text');
  });

  it('releases and archives only quarantined rows', () => {
    expect(bulkAction({ type: 'quarantine_release' }, '$1')[0]).toBe(`status = 'quarantined'`);
    expect(bulkAction({ type: 'quarantine_release' }, '$1')[1]).toContain(`status = 'new', next_redrive_at = NULL`);
    expect(bulkAction({ type: 'quarantine_archive' }, '$1')[1]).toContain(`status = 'archived'`);
    expect(() => bulkAction({ type: 'redrive' }, '$1')).toThrow(/not a bulk command/);
  });
});
