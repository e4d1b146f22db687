// The standard OpenTelemetry variables the mesh's tracing reads
// (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/), validated at
// start-up like every other variable: a value the mesh cannot honour (grpc, a sampler it does not
// ship, a ratio outside 0..1) fails fast with its name instead of being ignored.
//
// Tracing is off unless an OTLP endpoint is set: nothing dials out by default.
import { env } from '@ingest-mesh/env-config';
import { z } from 'zod';

export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const ratio = z.coerce
  .number({ error: 'expected a number from 0 to 1' })
  .min(0, { error: 'expected a number from 0 to 1' })
  .max(1, { error: 'expected a number from 0 to 1' });
const protocol = z.enum(OTLP_PROTOCOLS, { error: `expected one of ${OTLP_PROTOCOLS.join(', ')} (the mesh exports OTLP over HTTP, port 4318)` });
const compression = z.enum(['gzip', 'none'], { error: 'expected gzip or none' });
const endpoint = env.url('http://127.0.0.1:4318');
const timeoutMs = z.coerce
  .number({ error: 'expected milliseconds, an integer from 1 to 600000' })
  .int({ error: 'expected milliseconds, an integer from 1 to 600000' })
  .min(1, { error: 'expected milliseconds, an integer from 1 to 600000' })
  .max(600_000, { error: 'expected milliseconds, an integer from 1 to 600000' });

export const tracingEnvShape = {
  OTEL_SDK_DISABLED: env.bool(false),
  OTEL_TRACES_EXPORTER: env.oneOf(['otlp', 'none'] as const, 'otlp'),
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional(),
  // key=value pairs, comma-separated, percent-encoded (often an API key: never logged or shown).
  OTEL_EXPORTER_OTLP_HEADERS: env.optionalString(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: env.optionalString(),
  OTEL_EXPORTER_OTLP_TIMEOUT: timeoutMs.optional(),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: timeoutMs.optional(),
  OTEL_EXPORTER_OTLP_COMPRESSION: compression.optional(),
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: compression.optional(),
  OTEL_TRACES_SAMPLER: env.oneOf(TRACE_SAMPLERS, 'parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: ratio.optional(),
  OTEL_SERVICE_NAME: env.optionalString(),
  OTEL_RESOURCE_ATTRIBUTES: env.optionalString(),
  OTEL_BSP_SCHEDULE_DELAY: env.int(1, 600_000, 5000),
  OTEL_BSP_MAX_QUEUE_SIZE: env.int(1, 1_000_000, 2048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: env.int(1, 1_000_000, 512),
  OTEL_BSP_EXPORT_TIMEOUT: env.int(1, 600_000, 30_000),
};

export type TracingEnv = z.infer<z.ZodObject<typeof tracingEnvShape>>;

/** What the tracer is built from; undefined when tracing is off. */
export interface TracingSettings {
  /** The traces URL, e.g. http://collector:4318/v1/traces. */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
  compression: 'gzip' | 'none';
  sampler: TraceSamplerName;
  /** The ratio of the traceidratio samplers (OTEL_TRACES_SAMPLER_ARG, default 1). */
  ratio: number;
  serviceName: string | undefined;
  resourceAttributes: Record<string, string>;
  batch: { scheduledDelayMillis: number; maxQueueSize: number; maxExportBatchSize: number; exportTimeoutMillis: number };
}

export class TracingConfigError extends Error {
  override readonly name = 'TracingConfigError';
}

/** The settings of `e`, or undefined when tracing is off (no endpoint, exporter none, SDK disabled). */
export function tracingSettingsOf(e: Partial<TracingEnv>): TracingSettings | undefined {
  if (e.OTEL_SDK_DISABLED === true || e.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const url = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT && withTracesPath(e.OTEL_EXPORTER_OTLP_ENDPOINT));
  if (!url) return undefined;
  return {
    url,
    protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    headers: {
      ...keyValues('OTEL_EXPORTER_OTLP_HEADERS', e.OTEL_EXPORTER_OTLP_HEADERS),
      ...keyValues('OTEL_EXPORTER_OTLP_TRACES_HEADERS', e.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    },
    timeoutMs: e.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? e.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
    compression: e.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION ?? e.OTEL_EXPORTER_OTLP_COMPRESSION ?? 'none',
    sampler: e.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
    ratio: e.OTEL_TRACES_SAMPLER_ARG ?? 1,
    serviceName: e.OTEL_SERVICE_NAME,
    resourceAttributes: keyValues('OTEL_RESOURCE_ATTRIBUTES', e.OTEL_RESOURCE_ATTRIBUTES),
    batch: {
      scheduledDelayMillis: e.OTEL_BSP_SCHEDULE_DELAY ?? 5000,
      maxQueueSize: e.OTEL_BSP_MAX_QUEUE_SIZE ?? 2048,
      maxExportBatchSize: Math.min(e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE ?? 512, e.OTEL_BSP_MAX_QUEUE_SIZE ?? 2048),
      exportTimeoutMillis: e.OTEL_BSP_EXPORT_TIMEOUT ?? 30_000,
    },
  };
}

/** The signal path of a base endpoint, as the spec has it: <base>/v1/traces. */
function withTracesPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** `a=1,b=x%20y` → { a: '1', b: 'x y' } (W3C Baggage-like lists of the OTel variables). */
export function keyValues(name: string, list: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!list) return out;
  for (const pair of list.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    const key = at < 0 ? '' : pair.slice(0, at).trim();
    // The value is not echoed: a header list usually carries a credential.
    if (key === '') throw new TracingConfigError(`${name}: expected key=value pairs separated by commas`);
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new TracingConfigError(`${name}: the value of "${key}" is not valid percent-encoding`);
    }
  }
  return out;
}
