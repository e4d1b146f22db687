// mesh-lag-exporter: the consumer lag of every mesh group as Prometheus metrics, from outside the
// apps, so ConsumerGroupLagHigh fires for an app that is down. One replica is enough (it only reads).
// Serves /metrics, /health/live and /health/ready (a sample succeeded within three intervals).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, startTelemetry } from '@ingest-mesh/telemetry';
import { createKafkaClient } from '@ingest-mesh/kafka-client';
import { loadLagExporterEnv } from './config.js';
import { LagExporter } from './lag-exporter.js';

export const APP = 'mesh-lag-exporter';

const config = loadLagExporterEnv();
const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
const telemetry = await startTelemetry({ app: APP, version: process.env.npm_package_version ?? 'unknown', logger });
const admin = createKafkaClient({ clientId: APP, brokers: config.KAFKA_BROKERS }).admin();
await admin.connect();
const exporter = new LagExporter({
  admin,
  metrics: telemetry.metrics,
  filter: { include: config.LAG_EXPORTER_GROUP_INCLUDE, exclude: config.LAG_EXPORTER_GROUP_EXCLUDE },
  historyMs: config.LAG_EXPORTER_HISTORY_MINUTES * 60_000,
});

let timer: NodeJS.Timeout | undefined;
let stopping = false;
async function tick(): Promise<void> {
  try {
    const lags = await exporter.sample();
    logger.debug({ partitions: lags.length }, 'sampled');
  } catch (err) {
    logger.warn({ err }, 'lag sample failed; retrying at the next interval');
  }
  if (!stopping) timer = setTimeout(() => void tick(), config.LAG_EXPORTER_INTERVAL_MS);
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/metrics') return telemetry.metricsHandler(req, res);
  const fresh = exporter.lastSampleAt !== undefined && Date.now() - exporter.lastSampleAt < 3 * config.LAG_EXPORTER_INTERVAL_MS;
  const status = path === '/health/live' ? 200 : path === '/health/ready' ? (fresh ? 200 : 503) : 404;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status, lastSampleAt: exporter.lastSampleAt ?? null }));
});
await new Promise<void>((resolve) => server.listen(config.LAG_EXPORTER_PORT, config.LAG_EXPORTER_HOST, resolve));
logger.info({ port: (server.address() as AddressInfo).port, brokers: config.KAFKA_BROKERS }, 'started');
await tick();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    stopping = true;
    clearTimeout(timer);
    server.close();
    server.closeIdleConnections();
    void Promise.allSettled([admin.disconnect(), telemetry.shutdown()]).then(() => process.exit(0));
  });
}
