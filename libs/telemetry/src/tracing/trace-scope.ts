// One unit of work that touches many records — a consumer round, a webhook request — as a span,
// continued from the records' W3C traceparents. The OTel messaging conventions for batches: the
// span's parent is the first sampled record's context (else the first record's, else none: a
// root the sampler decides on), and it links the other sampled records. A record that comes out
// of the unit carries on its own trace:
//   - no valid traceparent, or the unit's own trace → the unit's span;
//   - not sampled → a fresh child id with the same flags, as the SDK does for a span it does not
//     record (nothing is exported for it, so nothing dangles);
//   - sampled, in another trace → a span of its own in that trace, linked to the unit's span, so
//     every sampled record's path is whole in its own trace.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { redactSecretsInText } from '../redact-url.js';
import { childTraceparent, newTraceparent, parseTraceparent } from '../traceparent.js';

export interface TraceScope {
  /** The traceparent of the unit's own span (a fresh root's when tracing is off and no parent is given). */
  readonly traceparent: string;
  /** The traceparent a record continuing from `incoming` carries on (see the rules above). */
  continueFrom(incoming: string | undefined): string;
  /** A span inside the unit, e.g. one sink write. */
  child(name: string, attributes?: Attributes, kind?: SpanKind): ChildSpan;
  /** Attributes known only at the end (records handled, the HTTP status). */
  setAttributes(attributes: Attributes): void;
  /** Ends the unit's span (and the records' own spans); an error marks it failed. */
  end(error?: unknown): void;
}

export interface ChildSpan {
  setAttributes(attributes: Attributes): void;
  end(error?: unknown): void;
}

export interface ScopeOptions {
  name: string;
  kind: SpanKind;
  /** The incoming traceparents, in order (records of a round, a request's header). */
  parents: Iterable<string | undefined>;
  attributes?: Attributes;
}

/** At most this many links per unit (the SDK's own default limit). */
export const MAX_LINKS = 128;

const NOOP_CHILD: ChildSpan = { setAttributes: () => undefined, end: () => undefined };

/** Tracing off: no span; records get child ids as before, so traces still pass through. */
export class UntracedScope implements TraceScope {
  get traceparent(): string {
    return newTraceparent();
  }
  continueFrom(incoming: string | undefined): string {
    return childTraceparent(incoming);
  }
  child(): ChildSpan {
    return NOOP_CHILD;
  }
  setAttributes(): void {}
  end(): void {}
}

/** The scope of work no span covers (tracing off, or a caller outside a round). */
export const UNTRACED: TraceScope = new UntracedScope();

export class TracedScope implements TraceScope {
  private readonly span: Span;
  private readonly own: SpanContext;
  /** Spans of sampled records in other traces, by their incoming traceparent. */
  private readonly recordSpans = new Map<string, { span: Span; traceparent: string }>();

  constructor(
    private readonly tracer: Tracer,
    private readonly opts: ScopeOptions,
  ) {
    const { parent, links } = pickParent(opts.parents);
    const context = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    this.span = tracer.startSpan(opts.name, { kind: opts.kind, links: links.map((context) => ({ context })), ...withAttributes(opts.attributes) }, context);
    this.own = this.span.spanContext();
  }

  get traceparent(): string {
    return format(this.own);
  }

  continueFrom(incoming: string | undefined): string {
    const ctx = incoming === undefined ? undefined : spanContextOf(incoming);
    if (!ctx || ctx.traceId === this.own.traceId) return this.traceparent;
    if ((ctx.traceFlags & TraceFlags.SAMPLED) === 0) return childTraceparent(incoming);
    let own = this.recordSpans.get(incoming!);
    if (!own) {
      const span = this.tracer.startSpan(
        this.opts.name,
        { kind: this.opts.kind, links: [{ context: this.own }], ...withAttributes(this.opts.attributes) },
        trace.setSpanContext(ROOT_CONTEXT, ctx),
      );
      own = { span, traceparent: format(span.spanContext()) };
      this.recordSpans.set(incoming!, own);
    }
    return own.traceparent;
  }

  child(name: string, attributes?: Attributes, kind: SpanKind = SpanKind.INTERNAL): ChildSpan {
    const span = this.tracer.startSpan(name, { kind, ...withAttributes(attributes) }, trace.setSpan(ROOT_CONTEXT, this.span));
    return { setAttributes: (a) => void span.setAttributes(a), end: (error) => finish(span, error) };
  }

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  end(error?: unknown): void {
    for (const { span } of this.recordSpans.values()) finish(span, error);
    this.recordSpans.clear();
    finish(this.span, error);
  }
}

function pickParent(parents: Iterable<string | undefined>): { parent: SpanContext | undefined; links: SpanContext[] } {
  let first: SpanContext | undefined;
  let parent: SpanContext | undefined;
  const links: SpanContext[] = [];
  const seen = new Set<string>();
  for (const tp of parents) {
    // Most records of a sampled-at-1 % stream are not sampled: look at the flags before parsing.
    if (tp === undefined || (parent && !maybeSampled(tp))) continue;
    const ctx = spanContextOf(tp);
    if (!ctx) continue;
    first ??= ctx;
    if ((ctx.traceFlags & TraceFlags.SAMPLED) === 0) continue;
    if (seen.has(tp)) continue;
    seen.add(tp);
    if (!parent) parent = ctx;
    else if (links.length < MAX_LINKS) links.push(ctx);
  }
  return { parent: parent ?? first, links };
}

/** The flags byte of a version-00 traceparent is its last two characters; odd means sampled. */
function maybeSampled(tp: string): boolean {
  if (tp.length !== 55) return true;
  const last = Number.parseInt(tp[54]!, 16);
  return Number.isNaN(last) || (last & 1) === 1;
}

function spanContextOf(tp: string): SpanContext | undefined {
  const parsed = parseTraceparent(tp);
  if (!parsed) return undefined;
  return { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: Number.parseInt(parsed.flags, 16), isRemote: true };
}

function format(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

function withAttributes(attributes: Attributes | undefined): { attributes?: Attributes } {
  return attributes ? { attributes } : {};
}

function finish(span: Span, error: unknown): void {
  if (error !== undefined) {
    // A driver's message can quote a connection string: spans leave the process, so redact it.
    const message = redactSecretsInText(error instanceof Error ? error.message : String(error));
    span.recordException({ name: error instanceof Error ? error.name : 'Error', message });
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}
