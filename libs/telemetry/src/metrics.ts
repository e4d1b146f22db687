// The mesh's metrics, named as docs/architecture.md and the alert rules expect them. Counter names
// already end in `_total` so the Prometheus exporter exposes them unchanged.
import type { Attributes, Counter, Gauge, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import type { ReasonCode } from '@ingest-mesh/reason-codes';

export const METRIC_NAMES = {
  records: 'ingest_records_total',
  dlq: 'ingest_dlq_total',
  olderRevisions: 'ingest_older_revisions_total',
  lag: 'ingest_lag_seconds',
  retry: 'ingest_retry_total',
  backpressureState: 'ingest_backpressure_state',
  circuitState: 'ingest_circuit_state',
  consumerLagRecords: 'ingest_consumer_lag_records',
  consumerLagSeconds: 'ingest_consumer_lag_seconds',
  idempotencyHits: 'ingest_idempotency_hits_total',
  eventsFailed: 'ingest_events_failed_total',
  buildInfo: 'ingest_build_info',
  sourceRecords: 'ingest_source_records_total',
  deferredWaiting: 'ingest_deferred_waiting_records',
  deferredOldestAge: 'ingest_deferred_oldest_age_seconds',
} as const;

/** Distinct tenant/source pairs counted one by one; later ones are folded into source="_other". */
export const DEFAULT_MAX_SOURCE_SERIES = 500;
export const OTHER_SOURCE = '_other';

/** Buckets of ingest_lag_seconds: 5 ms to 5 min, dense around the 60 s p95 objective. */
export const LAG_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 45, 60, 90, 120, 180, 300];

export type RecordOutcome = 'written' | 'duplicate' | 'dlq' | 'deferred' | 'skipped' | 'retried';

/** What a sink did with a record older than the revision its store holds (SINK_OLDER_REVISION). */
export type OlderRevisionAction = 'dlq' | 'skip';

/** Always exported (0 when not current), so a dashboard sees every state from the first scrape. */
export const BACKPRESSURE_STATES = ['normal', 'throttled', 'brownout', 'drain', 'paused'] as const;
export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

interface PartitionLag {
  attributes: Attributes;
  records: number;
  seconds: number | undefined;
}

export class MeshMetrics {
  readonly app: string;
  private readonly recordsCounter: Counter;
  private readonly dlqCounter: Counter;
  private readonly olderRevisionsCounter: Counter;
  private readonly lagHistogram: Histogram;
  private readonly retryCounter: Counter;
  private readonly backpressureGauge: Gauge;
  private readonly circuitGauge: Gauge;
  private readonly idempotencyCounter: Counter;
  private readonly eventsFailedCounter: Counter;
  private readonly buildInfoGauge: Gauge;
  private readonly sourceCounter: Counter;
  private readonly sourceSeries = new Set<string>();
  private readonly maxSourceSeries: number;
  private readonly backpressureStates = new Set<string>(BACKPRESSURE_STATES);
  private readonly circuitStates = new Map<string, Set<string>>();
  // Observed at collection time, so a partition this instance no longer owns disappears from the
  // scrape as soon as it is removed (a synchronous gauge would repeat its last value forever).
  private readonly consumerLags = new Map<string, PartitionLag>();
  private readonly deferred = new Map<string, { waiting: number; oldestAgeSeconds: number }>();

  constructor(meter: Meter, app: string, opts: { maxSourceSeries?: number } = {}) {
    if (!app) throw new TypeError('MeshMetrics needs an app name');
    this.app = app;
    this.maxSourceSeries = opts.maxSourceSeries ?? DEFAULT_MAX_SOURCE_SERIES;
    this.recordsCounter = meter.createCounter(METRIC_NAMES.records, { description: 'Records handled, by outcome.' });
    this.dlqCounter = meter.createCounter(METRIC_NAMES.dlq, { description: 'Records sent to a dead-letter topic, by reason code.' });
    this.olderRevisionsCounter = meter.createCounter(METRIC_NAMES.olderRevisions, {
      description: 'Records a sink found older than the revision its store holds, by what it did with them (dlq as OLDER_REVISION, or skip).',
    });
    this.lagHistogram = meter.createHistogram(METRIC_NAMES.lag, {
      description: 'Seconds from source time (occurredAt) to sink commit.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...LAG_BUCKETS_SECONDS] },
    });
    this.retryCounter = meter.createCounter(METRIC_NAMES.retry, { description: 'In-place retries, by reason code.' });
    this.backpressureGauge = meter.createGauge(METRIC_NAMES.backpressureState, {
      description: 'Backpressure state: 1 for the current state, 0 for the others.',
    });
    this.circuitGauge = meter.createGauge(METRIC_NAMES.circuitState, {
      description: 'Circuit breaker state per downstream: 1 for the current state, 0 for the others.',
    });
    this.idempotencyCounter = meter.createCounter(METRIC_NAMES.idempotencyHits, {
      description: 'Records recognised as already processed by the idempotency store.',
    });
    this.eventsFailedCounter = meter.createCounter(METRIC_NAMES.eventsFailed, {
      description: 'mesh.events events that could not be published (registry, encoding, Kafka or timeout).',
    });
    this.buildInfoGauge = meter.createGauge(METRIC_NAMES.buildInfo, { description: 'Always 1; labelled with the running version.' });
    this.sourceCounter = meter.createCounter(METRIC_NAMES.sourceRecords, {
      description: 'Records accepted from each tenant and source (what NoDataReceived watches); bounded: later pairs count as source="_other".',
    });
    meter
      .createObservableGauge(METRIC_NAMES.consumerLagRecords, { description: 'Records between the committed offset and the high watermark.' })
      .addCallback((result) => this.observeLag(result, (lag) => lag.records));
    meter
      .createObservableGauge(METRIC_NAMES.consumerLagSeconds, {
        description: 'Age in seconds of the oldest uncommitted record.',
        unit: 's',
      })
      .addCallback((result) => this.observeLag(result, (lag) => lag.seconds));
    meter
      .createObservableGauge(METRIC_NAMES.deferredWaiting, {
        description: "Records of a tenant parked on the router's slow lane (over its rate), not yet routed.",
      })
      .addCallback((result) => this.observeDeferred(result, (d) => d.waiting));
    meter
      .createObservableGauge(METRIC_NAMES.deferredOldestAge, {
        description: "Seconds since the oldest record of a tenant waiting on the router's slow lane was parked; 0 when none waits.",
        unit: 's',
      })
      .addCallback((result) => this.observeDeferred(result, (d) => d.oldestAgeSeconds));
  }

  /** The slow lane of one tenant, as last sampled (tenants are bounded by the router's config). */
  deferredWaiting(tenant: string, waiting: number, oldestAgeSeconds: number | null): void {
    this.deferred.set(tenant, { waiting, oldestAgeSeconds: oldestAgeSeconds ?? 0 });
  }

  private observeDeferred(result: ObservableResult, pick: (d: { waiting: number; oldestAgeSeconds: number }) => number): void {
    for (const [tenant, d] of this.deferred) result.observe(pick(d), { app: this.app, tenant });
  }

  records(outcome: RecordOutcome, n = 1): void {
    if (n > 0) this.recordsCounter.add(n, { app: this.app, outcome });
  }

  /**
   * Counts records accepted from a tenant's source. The label set is bounded: the first
   * maxSourceSeries pairs (default 500) get a series each, the rest add to their tenant's
   * source="_other" (tenants are bounded by the router's config).
   */
  sourceRecords(tenant: string, source: string, n = 1): void {
    if (n <= 0) return;
    const pair = `${tenant}\u0000${source}`;
    if (!this.sourceSeries.has(pair) && this.sourceSeries.size < this.maxSourceSeries) this.sourceSeries.add(pair);
    this.sourceCounter.add(n, { app: this.app, tenant, source: this.sourceSeries.has(pair) ? source : OTHER_SOURCE });
  }

  dlq(reason: ReasonCode, n = 1): void {
    if (n > 0) this.dlqCounter.add(n, { app: this.app, reason });
  }

  /** Late revisions a sink refused: dead-lettered (also in ingest_dlq_total) or skipped (also in ingest_records_total{outcome="skipped"}). */
  olderRevisions(action: OlderRevisionAction, n = 1): void {
    if (n > 0) this.olderRevisionsCounter.add(n, { app: this.app, action });
  }

  /** Negative lag (a source clock ahead of ours) is recorded as 0; NaN is ignored. */
  lag(seconds: number): void {
    if (Number.isNaN(seconds)) return;
    this.lagHistogram.record(Math.max(0, seconds), { app: this.app });
  }

  retry(reason: ReasonCode, n = 1): void {
    if (n > 0) this.retryCounter.add(n, { app: this.app, reason });
  }

  backpressureState(state: string): void {
    this.backpressureStates.add(state);
    for (const known of this.backpressureStates) {
      this.backpressureGauge.record(known === state ? 1 : 0, { app: this.app, state: known });
    }
  }

  circuitState(circuit: string, state: string): void {
    let known = this.circuitStates.get(circuit);
    if (!known) this.circuitStates.set(circuit, (known = new Set<string>(CIRCUIT_STATES)));
    known.add(state);
    for (const s of known) this.circuitGauge.record(s === state ? 1 : 0, { app: this.app, circuit, state: s });
  }

  /** Sets the lag of one partition; `seconds` omitted leaves ingest_consumer_lag_seconds unset for it. */
  consumerLag(group: string, topic: string, partition: number, records: number, seconds?: number): void {
    this.consumerLags.set(lagKey(group, topic, partition), {
      attributes: { app: this.app, group, topic, partition: String(partition) },
      records,
      seconds,
    });
  }

  /** Forgets lag series (e.g. partitions revoked in a rebalance): a whole group, a topic, or one partition. */
  removeConsumerLag(group: string, topic?: string, partition?: number): void {
    for (const [key, lag] of this.consumerLags) {
      const a = lag.attributes;
      if (a.group !== group || (topic !== undefined && a.topic !== topic)) continue;
      if (partition !== undefined && a.partition !== String(partition)) continue;
      this.consumerLags.delete(key);
    }
  }

  idempotencyHits(n = 1): void {
    if (n > 0) this.idempotencyCounter.add(n, { app: this.app });
  }

  eventsFailed(n = 1): void {
    if (n > 0) this.eventsFailedCounter.add(n, { app: this.app });
  }

  buildInfo(version: string): void {
    this.buildInfoGauge.record(1, { app: this.app, version });
  }

  private observeLag(result: ObservableResult, pick: (lag: PartitionLag) => number | undefined): void {
    for (const lag of this.consumerLags.values()) {
      const value = pick(lag);
      if (value !== undefined && !Number.isNaN(value)) result.observe(value, lag.attributes);
    }
  }
}

function lagKey(group: string, topic: string, partition: number): string {
  return JSON.stringify([group, topic, partition]);
}
