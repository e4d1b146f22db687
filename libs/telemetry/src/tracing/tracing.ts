// Traces with the OpenTelemetry SDK: one TracerProvider per app, exporting OTLP over HTTP in
// batches. Like the metrics (telemetry.ts), nothing is registered globally — no global provider,
// context manager or propagator — so several apps can share a process (the tests do) and each
// names its own service; context travels explicitly, in TraceScope, from record to span.
//
// Off (no OTLP endpoint, OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true): no provider at all;
// scopes are UntracedScope, which only hands records the child traceparents they had before.
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Logger } from '../logger.js';
import { redactUrl } from '../redact-url.js';
import { TracedScope, UNTRACED, type ScopeOptions, type TraceScope } from './trace-scope.js';
import type { TraceSamplerName, TracingSettings } from './tracing-env.js';

export { SpanKind };
export type { Attributes };

export interface Tracing {
  readonly enabled: boolean;
  /** A span for one unit of work over records or a request (see TraceScope). */
  scope(opts: ScopeOptions): TraceScope;
  /** For /health/detailed: exporter, endpoint (redacted), sampler; never the headers. */
  describe(): Record<string, unknown>;
  /** Exports what is queued now (tests, shutdown). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  app: string;
  instanceId: string;
  version?: string;
  /** undefined: tracing is off. */
  settings: TracingSettings | undefined;
  logger?: Logger;
  /** Instead of the batching OTLP exporter (unit tests: a SimpleSpanProcessor over memory). */
  spanProcessor?: SpanProcessor;
}

export const TRACING_OFF: Tracing = {
  enabled: false,
  scope: () => UNTRACED,
  describe: () => ({ enabled: false }),
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

export function startTracing(opts: TracingOptions): Tracing {
  const { settings } = opts;
  if (!settings) return TRACING_OFF;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...settings.resourceAttributes,
      'service.name': settings.serviceName ?? settings.resourceAttributes['service.name'] ?? opts.app,
      'service.namespace': settings.resourceAttributes['service.namespace'] ?? 'ingest-mesh',
      'service.instance.id': opts.instanceId,
      'service.version': opts.version ?? 'unknown',
    }),
    sampler: samplerOf(settings.sampler, settings.ratio),
    spanProcessors: [opts.spanProcessor ?? new BatchSpanProcessor({ exporter: exporterOf(settings, opts.logger), ...settings.batch })],
  });
  const tracer = provider.getTracer('@ingest-mesh/telemetry');
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    scope: (scope) => new TracedScope(tracer, scope),
    describe: () => ({ enabled: true, endpoint: redactUrl(settings.url), protocol: settings.protocol, sampler: settings.sampler, ratio: settings.ratio }),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => (stopped ??= provider.shutdown()),
  };
}

function samplerOf(name: TraceSamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

function exporterOf(settings: TracingSettings, logger: Logger | undefined): SpanExporter {
  const config = { url: settings.url, headers: settings.headers, timeoutMillis: settings.timeoutMs, compression: settings.compression as never };
  const inner = settings.protocol === 'http/json' ? new OtlpJsonExporter(config) : new OtlpProtobufExporter(config);
  return new ReportingExporter(inner, settings.url, logger);
}

const REPORT_EVERY_MS = 60_000;

/** Says when spans could not be exported (the SDK only tells its global diag logger): once a minute at most. */
class ReportingExporter implements SpanExporter {
  private lastReport = 0;
  private dropped = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly url: string,
    private readonly logger: Logger | undefined,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.report(spans.length, result.error);
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private report(spans: number, error: Error | undefined): void {
    this.dropped += spans;
    const now = Date.now();
    if (now - this.lastReport < REPORT_EVERY_MS) return;
    this.lastReport = now;
    this.logger?.warn({ endpoint: redactUrl(this.url), droppedSpans: this.dropped, err: error }, 'could not export spans over OTLP; they are dropped');
    this.dropped = 0;
  }
}
