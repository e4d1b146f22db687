// For the *.int.spec.ts of every sink (@ingest-mesh/sink-kit/testing): one sink app in-process on
// the real stack with the Sink under test, on a SinkStackRun (unique topics, app name, DLQ and
// control topic per run; real SinkRecords; dead letters and committed offsets).
import { startSinkApp, type SinkApp, type SinkAppOptions } from '../sink-app.js';
import type { Sink } from '../sink.js';
import { SinkStackRun, type SinkStackRunOptions } from './sink-stack-run.js';

export interface SinkTestRunOptions<S extends Sink> extends Omit<SinkStackRunOptions, 'dlqTopics'> {
  /** The sink under test (connected by the runner, closed by stop()). */
  sink: S;
  deadLetterInfrastructureFailures?: boolean;
  olderRevision?: SinkAppOptions['olderRevision'];
  circuit?: SinkAppOptions['circuit'];
}

export class SinkTestRun<S extends Sink> extends SinkStackRun {
  readonly sink: S;
  sinkApp!: SinkApp;

  constructor(private readonly opts: SinkTestRunOptions<S>) {
    super(opts);
    this.sink = opts.sink;
  }

  get base(): string {
    return `http://127.0.0.1:${this.sinkApp.httpPort}`;
  }

  async start(): Promise<void> {
    await this.startStack();
    this.sinkApp = await startSinkApp({
      app: this.app,
      sink: this.sink,
      topics: [this.topic],
      env: this.runtimeEnv(),
      ...(this.opts.deadLetterInfrastructureFailures === undefined ? {} : { deadLetterInfrastructureFailures: this.opts.deadLetterInfrastructureFailures }),
      ...(this.opts.olderRevision ? { olderRevision: this.opts.olderRevision } : {}),
      ...(this.opts.circuit ? { circuit: this.opts.circuit } : {}),
    });
    this.cleanUp({ groups: [`mesh.${this.app}.control.${this.sinkApp.instanceId}`] });
  }

  /** A real SinkRecord: the customer framed with the registry's latest entity.customer, in a mesh.SinkRecord. */
  sinkRecord(id: string, revision: number, opts: { op?: 'upsert' | 'delete'; name?: string } = {}): Promise<Buffer> {
    return this.records.customer(id, revision, { ...opts, occurredAt: Date.now() });
  }

  /** The Kafka key of a customer of the run's tenant. */
  key(id: string): string {
    return this.records.key('customer', id);
  }

  async detailed(): Promise<
    Record<string, unknown> & { circuits: { name: string; state: string }[]; backpressure: { state: string }; sink: Record<string, unknown> }
  > {
    const res = await fetch(`${this.base}/health/detailed`);
    return (await res.json()) as never;
  }

  /** The value of series `name` with these labels (among others) on the app's /metrics; undefined when it has none. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const text = await (await fetch(`${this.base}/metrics`)).text();
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  override async stop(): Promise<void> {
    await this.sinkApp?.stop('test finished');
    await super.stop();
  }
}
