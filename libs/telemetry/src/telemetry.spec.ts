import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LAG_BUCKETS_SECONDS } from './metrics.js';
import { PROMETHEUS_CONTENT_TYPE, startTelemetry, type Telemetry } from './telemetry.js';

interface Scrape {
  status: number;
  contentType: string | undefined;
  body: string;
}

let telemetry: Telemetry | undefined;
let server: Server | undefined;

afterEach(async () => {
  server?.close();
  server = undefined;
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** Serves telemetry.metricsHandler on an ephemeral loopback port, as an app's HTTP server would. */
async function serve(t: Telemetry): Promise<(method?: string) => Promise<Scrape>> {
  server = createServer((req, res) => t.metricsHandler(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return (method = 'GET') =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics', method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
      });
      req.on('error', reject);
      req.end();
    });
}

function lines(text: string): string[] {
  return text.split('\n');
}

describe('startTelemetry + metricsHandler', () => {
  it('exposes every mesh metric under its exact name and labels', async () => {
    telemetry = await startTelemetry({ app: 't', version: '1.2.3' });
    const m = telemetry.metrics;
    m.records('written', 3);
    m.records('duplicate');
    m.dlq('VALIDATION_FAIL', 2);
    m.olderRevisions('skip', 3);
    m.olderRevisions('dlq');
    m.retry('SINK_TIMEOUT');
    m.lag(0.2);
    m.lag(42);
    m.backpressureState('throttled');
    m.circuitState('postgres', 'open');
    m.consumerLag('sink-postgres', 'sink.postgres', 0, 120, 4.5);
    m.idempotencyHits(5);
    m.eventsFailed(1);
    m.sourceRecords('acme', 'crm', 2);
    m.deferredWaiting('acme', 40, 12.5);
    m.deferredWaiting('globex', 0, null);

    const scrape = await serve(telemetry);
    const { status, contentType, body } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(lines(body)).toEqual(
      expect.arrayContaining([
        '# TYPE ingest_records_total counter',
        'ingest_records_total{app="t",outcome="written"} 3',
        'ingest_records_total{app="t",outcome="duplicate"} 1',
        '# TYPE ingest_dlq_total counter',
        'ingest_dlq_total{app="t",reason="VALIDATION_FAIL"} 2',
        '# TYPE ingest_older_revisions_total counter',
        'ingest_older_revisions_total{app="t",action="skip"} 3',
        'ingest_older_revisions_total{app="t",action="dlq"} 1',
        'ingest_retry_total{app="t",reason="SINK_TIMEOUT"} 1',
        '# TYPE ingest_lag_seconds histogram',
        'ingest_lag_seconds_count{app="t"} 2',
        'ingest_lag_seconds_sum{app="t"} 42.2',
        'ingest_lag_seconds_bucket{app="t",le="0.005"} 0',
        'ingest_lag_seconds_bucket{app="t",le="0.25"} 1',
        'ingest_lag_seconds_bucket{app="t",le="45"} 2',
        'ingest_lag_seconds_bucket{app="t",le="300"} 2',
        'ingest_lag_seconds_bucket{app="t",le="+Inf"} 2',
        '# TYPE ingest_backpressure_state gauge',
        'ingest_backpressure_state{app="t",state="throttled"} 1',
        'ingest_backpressure_state{app="t",state="normal"} 0',
        'ingest_backpressure_state{app="t",state="paused"} 0',
        'ingest_circuit_state{app="t",circuit="postgres",state="open"} 1',
        'ingest_circuit_state{app="t",circuit="postgres",state="closed"} 0',
        'ingest_circuit_state{app="t",circuit="postgres",state="half-open"} 0',
        'ingest_consumer_lag_records{app="t",group="sink-postgres",topic="sink.postgres",partition="0"} 120',
        'ingest_consumer_lag_seconds{app="t",group="sink-postgres",topic="sink.postgres",partition="0"} 4.5',
        'ingest_idempotency_hits_total{app="t"} 5',
        'ingest_events_failed_total{app="t"} 1',
        'ingest_build_info{app="t",version="1.2.3"} 1',
        'ingest_source_records_total{app="t",tenant="acme",source="crm"} 2',
        'ingest_deferred_waiting_records{app="t",tenant="acme"} 40',
        'ingest_deferred_oldest_age_seconds{app="t",tenant="acme"} 12.5',
        'ingest_deferred_waiting_records{app="t",tenant="globex"} 0',
        'ingest_deferred_oldest_age_seconds{app="t",tenant="globex"} 0',
      ]),
    );
    // Exactly the documented buckets, plus +Inf.
    const buckets = lines(body).filter((l) => l.startsWith('ingest_lag_seconds_bucket'));
    expect(buckets).toHaveLength(LAG_BUCKETS_SECONDS.length + 1);
    // Names are exactly these: no doubled _total, no otel_scope labels, no target_info.
    const names = new Set(
      lines(body)
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split('{')[0]),
    );
    expect([...names].sort()).toEqual([
      'ingest_backpressure_state',
      'ingest_build_info',
      'ingest_circuit_state',
      'ingest_consumer_lag_records',
      'ingest_consumer_lag_seconds',
      'ingest_deferred_oldest_age_seconds',
      'ingest_deferred_waiting_records',
      'ingest_dlq_total',
      'ingest_events_failed_total',
      'ingest_idempotency_hits_total',
      'ingest_lag_seconds_bucket',
      'ingest_lag_seconds_count',
      'ingest_lag_seconds_sum',
      'ingest_older_revisions_total',
      'ingest_records_total',
      'ingest_retry_total',
      'ingest_source_records_total',
    ]);
  });

  it('bounds the tenant/source series: pairs beyond the limit count as source="_other"', async () => {
    telemetry = await startTelemetry({ app: 'r', maxSourceSeries: 2 });
    const m = telemetry.metrics;
    m.sourceRecords('acme', 'crm');
    m.sourceRecords('acme', 'shop');
    m.sourceRecords('acme', 'erp', 3);
    m.sourceRecords('globex', 'crm');
    m.sourceRecords('acme', 'crm');
    const body = lines(await telemetry.collectText()).filter((l) => l.startsWith('ingest_source_records_total{'));
    expect(body.sort()).toEqual([
      'ingest_source_records_total{app="r",tenant="acme",source="_other"} 3',
      'ingest_source_records_total{app="r",tenant="acme",source="crm"} 2',
      'ingest_source_records_total{app="r",tenant="acme",source="shop"} 1',
      'ingest_source_records_total{app="r",tenant="globex",source="_other"} 1',
    ]);
  });

  it('moves the 1 between states and keeps counters cumulative across scrapes', async () => {
    telemetry = await startTelemetry({ app: 'a' });
    const scrape = await serve(telemetry);
    telemetry.metrics.records('written', 2);
    telemetry.metrics.backpressureState('paused');
    await scrape();
    telemetry.metrics.records('written', 3);
    telemetry.metrics.backpressureState('normal');
    const body = lines((await scrape()).body);
    expect(body).toContain('ingest_records_total{app="a",outcome="written"} 5');
    expect(body).toContain('ingest_backpressure_state{app="a",state="normal"} 1');
    expect(body).toContain('ingest_backpressure_state{app="a",state="paused"} 0');
    expect(body).toContain('ingest_build_info{app="a",version="unknown"} 1');
  });

  it('drops the lag series of a removed partition and updates the rest', async () => {
    telemetry = await startTelemetry({ app: 'a' });
    const m = telemetry.metrics;
    m.consumerLag('g', 'topic', 0, 10, 1);
    m.consumerLag('g', 'topic', 1, 20);
    let body = lines(await telemetry.collectText());
    expect(body).toContain('ingest_consumer_lag_records{app="a",group="g",topic="topic",partition="1"} 20');
    expect(body.filter((l) => l.startsWith('ingest_consumer_lag_seconds{'))).toHaveLength(1);
    m.removeConsumerLag('g', 'topic', 0);
    m.consumerLag('g', 'topic', 1, 7);
    body = lines(await telemetry.collectText());
    expect(body.filter((l) => l.startsWith('ingest_consumer_lag_records{'))).toEqual([
      'ingest_consumer_lag_records{app="a",group="g",topic="topic",partition="1"} 7',
    ]);
    expect(body.some((l) => l.startsWith('ingest_consumer_lag_seconds{'))).toBe(false);
    m.removeConsumerLag('g');
    expect(await telemetry.collectText()).not.toContain('ingest_consumer_lag_records{');
  });

  it('records negative lag as 0 and ignores NaN and non-positive counts', async () => {
    telemetry = await startTelemetry({ app: 'a' });
    telemetry.metrics.lag(-3);
    telemetry.metrics.lag(Number.NaN);
    telemetry.metrics.records('written', 0);
    telemetry.metrics.dlq('INTERNAL_ERROR', -1);
    const body = lines(await telemetry.collectText());
    expect(body).toContain('ingest_lag_seconds_count{app="a"} 1');
    expect(body).toContain('ingest_lag_seconds_sum{app="a"} 0');
    expect(body.some((l) => l.startsWith('ingest_records_total{') || l.startsWith('ingest_dlq_total{'))).toBe(false);
  });

  it('answers HEAD without a body, refuses other methods, and 503 after shutdown', async () => {
    telemetry = await startTelemetry({ app: 'a' });
    const scrape = await serve(telemetry);
    expect(await scrape('HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await scrape('POST')).status).toBe(405);
    await telemetry.shutdown();
    expect((await scrape()).status).toBe(503);
  });

  it('keeps two instances in one process apart', async () => {
    telemetry = await startTelemetry({ app: 'one' });
    const other = await startTelemetry({ app: 'two' });
    try {
      telemetry.metrics.records('written');
      other.metrics.records('dlq');
      expect(await telemetry.collectText()).not.toContain('app="two"');
      expect(await other.collectText()).toContain('ingest_records_total{app="two",outcome="dlq"} 1');
    } finally {
      await other.shutdown();
    }
  });
});
