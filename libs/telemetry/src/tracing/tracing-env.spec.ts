import { ConfigError, parseEnv } from '@ingest-mesh/env-config';
import { describe, expect, it } from 'vitest';
import { keyValues, TracingConfigError, tracingEnvShape, tracingSettingsOf } from './tracing-env.js';

const settingsOf = (vars: Record<string, string>) => tracingSettingsOf(parseEnv(tracingEnvShape, vars));

describe('tracing settings from the standard OTel variables', () => {
  it('is off without an endpoint, with exporter none, and with the SDK disabled', () => {
    expect(settingsOf({})).toBeUndefined();
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
  });

  it('appends /v1/traces to the base endpoint; a traces endpoint is used as it is and wins', () => {
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })?.url).toBe('http://c:4318/v1/traces');
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/x' })?.url).toBe('http://t:9/x');
  });

  it('reads the protocol, headers, timeout, sampler and resource, signal-specific values first', () => {
    const s = settingsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-a=1,authorization=Bearer%20k',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-a=2',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      OTEL_SERVICE_NAME: 'router-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=platform',
    });
    expect(s).toMatchObject({
      protocol: 'http/json',
      headers: { 'x-a': '2', authorization: 'Bearer k' },
      timeoutMs: 2500,
      compression: 'none',
      sampler: 'parentbased_traceidratio',
      ratio: 0.01,
      serviceName: 'router-eu',
      resourceAttributes: { 'deployment.environment.name': 'prod', team: 'platform' },
      batch: { scheduledDelayMillis: 5000, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMillis: 30_000 },
    });
  });

  it('fails fast, naming the variable, on what the mesh cannot honour', () => {
    const problems = (vars: Record<string, string>) => {
      try {
        parseEnv(tracingEnvShape, vars);
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
      return '';
    };
    expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatch(/^OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http\/protobuf, http\/json/);
    expect(problems({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toMatch(/^OTEL_TRACES_SAMPLER: expected one of always_on/);
    expect(problems({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toMatch(/^OTEL_TRACES_SAMPLER_ARG: expected a number from 0 to 1/);
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL/);
    // A header list usually holds a credential: the error names the variable, not the value.
    expect(problems({ OTEL_EXPORTER_OTLP_HEADERS: '' })).toBe('');
    expect(() => keyValues('OTEL_EXPORTER_OTLP_HEADERS', 'Bearer-secret-only')).toThrow(TracingConfigError);
    expect(() => keyValues('OTEL_EXPORTER_OTLP_HEADERS', 'Bearer-secret-only')).toThrow(
      /^OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs separated by commas$/,
    );
  });
});
