import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { parseTraceparent } from '../traceparent.js';
import { tracingSettingsOf } from './tracing-env.js';
import { SpanKind, startTracing, TRACING_OFF } from './tracing.js';

const SAMPLED_A = '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1111111111111111-01';
const SAMPLED_B = '00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-2222222222222222-01';
const UNSAMPLED_C = '00-cccccccccccccccccccccccccccccccc-3333333333333333-00';

function traced(sampler = 'parentbased_always_on', ratio?: number) {
  const exporter = new InMemorySpanExporter();
  const settings = tracingSettingsOf({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    OTEL_TRACES_SAMPLER: sampler as never,
    ...(ratio === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: ratio }),
  });
  const tracing = startTracing({
    app: 'ingest-router',
    instanceId: 'ingest-router-1',
    version: '1.2.3',
    settings,
    spanProcessor: new SimpleSpanProcessor({ exporter }),
  });
  return { tracing, spans: () => exporter.getFinishedSpans() };
}

const round = (parents: (string | undefined)[]) => ({
  name: 'process ingest.raw',
  kind: SpanKind.CONSUMER,
  parents,
  attributes: { 'messaging.system': 'kafka' },
});
const ids = (s: ReadableSpan) => ({ traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parent: s.parentSpanContext?.spanId });

describe('TracedScope', () => {
  it('continues the first sampled record, links the other sampled ones, and skips unsampled ones for the parent', () => {
    const { tracing, spans } = traced();
    const scope = tracing.scope(round([undefined, UNSAMPLED_C, SAMPLED_A, SAMPLED_B, SAMPLED_B]));
    scope.setAttributes({ 'mesh.round.handled': 5 });
    scope.end();
    const [span] = spans();
    expect(span).toMatchObject({ name: 'process ingest.raw', kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'mesh.round.handled': 5 } });
    expect(ids(span!)).toMatchObject({ traceId: 'a'.repeat(32), parent: '1'.repeat(16) });
    expect(span!.links.map((l) => l.context.traceId)).toEqual(['b'.repeat(32)]);
    expect(span!.resource.attributes).toMatchObject({ 'service.name': 'ingest-router', 'service.instance.id': 'ingest-router-1', 'service.version': '1.2.3' });
  });

  it('hands each record the traceparent it carries on: the unit’s span, a child id, or a span of its own in its trace', () => {
    const { tracing, spans } = traced();
    const scope = tracing.scope(round([SAMPLED_A, SAMPLED_B, UNSAMPLED_C]));
    const fromA = scope.continueFrom(SAMPLED_A);
    const fromNothing = scope.continueFrom(undefined);
    const fromB = scope.continueFrom(SAMPLED_B);
    const fromBAgain = scope.continueFrom(SAMPLED_B);
    const fromC = scope.continueFrom(UNSAMPLED_C);
    scope.end();

    expect(fromA).toBe(scope.traceparent);
    expect(fromNothing).toBe(scope.traceparent);
    expect(fromBAgain).toBe(fromB);
    expect(parseTraceparent(fromC)).toMatchObject({ traceId: 'c'.repeat(32), flags: '00' });
    expect(parseTraceparent(fromC)!.spanId).not.toBe('3'.repeat(16));

    const finished = spans();
    expect(finished).toHaveLength(2); // the unit's span and B's own; nothing for the unsampled C
    const [ofB, unit] = finished;
    expect(ids(unit!)).toMatchObject({ traceId: 'a'.repeat(32), parent: '1'.repeat(16) });
    expect(ids(ofB!)).toEqual({ traceId: 'b'.repeat(32), spanId: parseTraceparent(fromB)!.spanId, parent: '2'.repeat(16) });
    expect(ofB!.links.map((l) => l.context.spanId)).toEqual([unit!.spanContext().spanId]);
  });

  it('is a root the sampler decides on when no record has a traceparent; children nest under it', () => {
    const { tracing, spans } = traced('parentbased_traceidratio', 1);
    const scope = tracing.scope(round([undefined, 'not-a-traceparent']));
    const write = scope.child('write sink.pg', { 'mesh.sink.records': 2 }, SpanKind.CLIENT);
    write.end(new Error('connection to postgres://mesh:s3cret@db/mesh refused'));
    scope.end();
    const [child, unit] = spans();
    expect(unit!.parentSpanContext).toBeUndefined();
    expect(ids(child!)).toMatchObject({ traceId: unit!.spanContext().traceId, parent: unit!.spanContext().spanId });
    expect(child!.status).toEqual({ code: 2, message: 'connection to postgres://mesh:***@db/mesh refused' });
    expect(JSON.stringify(child!.events)).not.toContain('s3cret');
  });

  it('follows an unsampled first record: nothing recorded, and its trace carries on unsampled', () => {
    const { tracing, spans } = traced('parentbased_always_on');
    const scope = tracing.scope(round([UNSAMPLED_C]));
    const out = scope.continueFrom(UNSAMPLED_C);
    scope.end();
    expect(spans()).toHaveLength(0);
    expect(parseTraceparent(out)).toMatchObject({ traceId: 'c'.repeat(32), flags: '00' });
  });

  it('samples roots by ratio: 0 records none', () => {
    const { tracing, spans } = traced('parentbased_traceidratio', 0);
    const scope = tracing.scope(round([undefined]));
    expect(parseTraceparent(scope.traceparent)?.flags).toBe('00');
    scope.end();
    expect(spans()).toHaveLength(0);
  });

  it('links at most 128 records', () => {
    const { tracing, spans } = traced();
    const parents = Array.from({ length: 300 }, (_, i) => `00-${(i + 1).toString(16).padStart(32, '0')}-${'1'.repeat(16)}-01`);
    tracing.scope(round(parents)).end();
    expect(spans()[0]!.links).toHaveLength(128);
  });
});

describe('tracing off', () => {
  it('hands out child traceparents as before and records nothing', async () => {
    const scope = TRACING_OFF.scope(round([SAMPLED_A]));
    const out = scope.continueFrom(SAMPLED_A);
    expect(parseTraceparent(out)).toMatchObject({ traceId: 'a'.repeat(32), flags: '01' });
    expect(parseTraceparent(out)!.spanId).not.toBe('1'.repeat(16));
    expect(parseTraceparent(scope.continueFrom(undefined))?.traceId).not.toBe('a'.repeat(32));
    scope.child('write').end();
    scope.end(new Error('x'));
    expect(TRACING_OFF.describe()).toEqual({ enabled: false });
    await TRACING_OFF.shutdown();
  });

  it('describes the exporter without its headers', () => {
    const settings = tracingSettingsOf({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://user:pw@collector:4318/v1/traces',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc',
    });
    const tracing = startTracing({ app: 'a', instanceId: 'a-1', settings });
    const shown = JSON.stringify(tracing.describe());
    expect(tracing.describe()).toMatchObject({ enabled: true, protocol: 'http/protobuf', sampler: 'parentbased_always_on', ratio: 1 });
    expect(shown).not.toContain('pw');
    expect(shown).not.toContain('abc');
    return tracing.shutdown();
  });
});
