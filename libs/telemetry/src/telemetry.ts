// Metrics plumbing: one MeterProvider per app with a pull-based Prometheus reader. No HTTP server
// of its own (preventServerStart): the app's HTTP server serves `metricsHandler` at /metrics. A
// plain MeterProvider rather than NodeSDK: nothing global is registered, no OTEL_* environment
// variable can switch on exporters that dial out, and several instances can live in one process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationTemporality, InstrumentType, MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Logger } from './logger.js';
import { MeshMetrics } from './metrics.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface TelemetryOptions {
  app: string;
  /** Exposed as ingest_build_info{app,version} 1. Default: 'unknown'. */
  version?: string;
  /** Collection errors (a failing observable callback) are logged here. */
  logger?: Logger;
  /** Tenant/source pairs of ingest_source_records_total with a series of their own (default 500). */
  maxSourceSeries?: number;
}

export interface Telemetry {
  readonly meter: Meter;
  readonly metrics: MeshMetrics;
  /** GET/HEAD → Prometheus text exposition; other methods → 405. For the app's /metrics route. */
  metricsHandler(req: IncomingMessage, res: ServerResponse): void;
  /** The exposition text the handler would serve. */
  collectText(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * Observable gauges (consumer lag) report only what their callback observed at this collection.
 * The exporter asks for cumulative temporality everywhere, which for an observable gauge keeps
 * repeating the last value of a partition that is no longer observed; delta for that one
 * instrument kind makes a revoked partition disappear from the next scrape. Counters, histograms
 * and synchronous gauges stay cumulative, as Prometheus needs.
 */
class MeshPrometheusExporter extends PrometheusExporter {
  override selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return instrumentType === InstrumentType.OBSERVABLE_GAUGE ? AggregationTemporality.DELTA : super.selectAggregationTemporality(instrumentType);
  }
}

export async function startTelemetry(opts: TelemetryOptions): Promise<Telemetry> {
  // Labels carry the app; scope labels (otel_scope_*) and target_info would only add noise to
  // every series, so both are off and the version travels in ingest_build_info instead.
  const exporter = new MeshPrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true });
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter('@ingest-mesh/telemetry');
  const metrics = new MeshMetrics(meter, opts.app, opts.maxSourceSeries === undefined ? {} : { maxSourceSeries: opts.maxSourceSeries });
  metrics.buildInfo(opts.version ?? 'unknown');
  let stopped = false;

  async function collectText(): Promise<string> {
    const { resourceMetrics, errors } = await exporter.collect();
    if (errors.length > 0) opts.logger?.warn({ errors }, 'metrics collection reported errors');
    return serializer.serialize(resourceMetrics);
  }

  function metricsHandler(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    if (stopped) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('telemetry is shut down\n');
      return;
    }
    collectText().then(
      (text) => {
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        opts.logger?.error({ err }, 'metrics collection failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
      },
    );
  }

  async function shutdown(): Promise<void> {
    if (stopped) return;
    stopped = true;
    await provider.shutdown();
  }

  return { meter, metrics, metricsHandler, collectText, shutdown };
}
