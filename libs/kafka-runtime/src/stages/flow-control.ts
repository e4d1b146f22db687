// Stage "flow control": the backpressure state machine and the app's circuit breakers, wired to
// metrics, logs and mesh.events. A transition resizes the partition concurrency and tells the
// consumer (once it exists) to pause or resume fetching.
import { BackpressureController, Semaphore } from '@ingest-mesh/backpressure';
import type { SinkCircuit } from '@ingest-mesh/circuit';
import type { RuntimeEnv } from '../config.js';
import type { Clients } from './clients.js';

export interface FlowControl {
  backpressure: BackpressureController;
  concurrency: Semaphore;
  circuits: readonly SinkCircuit[];
  circuitOpen(): boolean;
  /** Set by the consumer stage: what to call when fetching must follow a transition or a circuit. */
  onChange(listener: { syncFetching(): void; reportSignals(): void }): void;
}

export function wireFlowControl(env: RuntimeEnv, clients: Pick<Clients, 'logger' | 'metrics' | 'events'>, circuits: readonly SinkCircuit[]): FlowControl {
  const { logger, metrics, events } = clients;
  const concurrency = new Semaphore(env.MESH_PARTITIONS_CONCURRENCY);
  let listener: { syncFetching(): void; reportSignals(): void } | undefined;
  const backpressure: BackpressureController = new BackpressureController({
    onTransition: (t) => {
      metrics.backpressureState(t.to);
      logger.info({ from: t.from, to: t.to, cause: t.cause }, 'backpressure state changed');
      void events.publish('backpressure.changed', { from: t.from, to: t.to, cause: t.cause });
      const limit = env.MESH_PARTITIONS_CONCURRENCY;
      concurrency.setLimit(t.to === 'throttled' ? Math.max(1, Math.floor(limit * backpressure.throttleFactor)) : limit);
      listener?.syncFetching();
    },
  });
  metrics.backpressureState(backpressure.state);
  for (const circuit of circuits) {
    // Reported from the start, so dashboards and alerts see every breaker, not only those that moved.
    metrics.circuitState(circuit.name, circuit.state);
    circuit.onOpen(() => {
      metrics.circuitState(circuit.name, 'open');
      void events.publish('circuit.opened', { circuit: circuit.name });
      listener?.reportSignals();
    });
    circuit.onHalfOpen(() => metrics.circuitState(circuit.name, 'half-open'));
    circuit.onClose(() => {
      metrics.circuitState(circuit.name, 'closed');
      void events.publish('circuit.closed', { circuit: circuit.name });
      listener?.reportSignals();
    });
  }
  return {
    backpressure,
    concurrency,
    circuits,
    circuitOpen: () => circuits.some((c) => c.state === 'open'),
    onChange: (l) => (listener = l),
  };
}
