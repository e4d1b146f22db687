// Stage "lag": samples the group's lag per partition on a timer (metrics and /health/detailed),
// and keeps feeding the automatic backpressure states while no records flow.
import type { RuntimeEnv } from '../config.js';
import { sampleLag } from '../lag-monitor.js';
import type { Clients } from './clients.js';
import type { ConsumerStage } from './consumer-stage.js';

export interface LagStage {
  last(): Record<string, string>;
  stop(): void;
}

export function startLagStage(env: RuntimeEnv, groupId: string, consumer: ConsumerStage, clients: Clients): LagStage {
  let last: Record<string, string> = {};
  const lagTimer = setInterval(() => {
    if (consumer.topics.length === 0) return;
    sampleLag({
      admin: clients.admin,
      groupId,
      topics: [...consumer.topics],
      lastRecordTime: consumer.lastRecordTime,
      report: (s) => clients.metrics.consumerLag(groupId, s.topic, s.partition, Number(s.lag), s.seconds),
    })
      .then((samples) => {
        last = Object.fromEntries(samples.map((s) => [`${s.topic}:${s.partition}`, s.lag.toString()]));
      })
      .catch((err: unknown) => clients.logger.warn({ err }, 'could not sample consumer lag'));
  }, env.MESH_LAG_INTERVAL_MS);
  lagTimer.unref();
  // Automatic states also recover while no records flow (no rounds report then).
  const signalsTimer = setInterval(() => consumer.reportSignals(), 2000);
  signalsTimer.unref();
  return {
    last: () => last,
    stop: () => {
      clearInterval(lagTimer);
      clearInterval(signalsTimer);
    },
  };
}
