// dlq-redriver: every dlq.* topic → the DLQ store in PostgreSQL; automatic redrive of retryable
// letters on delay tiers with a loop guard; redrive, quarantine and purge on signed commands.
// Lists topics every DLQ_TOPIC_REFRESH_MS and restarts the consumer when a new DLQ topic appears.
import { createKafka, type MeshApp } from '@ingest-mesh/kafka-runtime';
import { createLogger } from '@ingest-mesh/telemetry';
import { APP, loadRedriverEnv } from './config.js';
import { discoverDlqTopics, newTopics } from './dlq-topics.js';
import { startRedriver } from './redriver-app.js';

const env = loadRedriverEnv();
const logger = createLogger({ app: APP, level: env.LOG_LEVEL });
const pattern = new RegExp(env.DLQ_TOPIC_PATTERN);
const own = `dlq.${APP}`;
const admin = createKafka({ clientId: `${APP}-topics`, brokers: env.KAFKA_BROKERS, logger }).admin();
await admin.connect();

let topics = await discoverDlqTopics(admin, pattern, env.DLQ_TOPICS ?? [], own);
let app: MeshApp = await startRedriver({ env, topics, groupId: env.DLQ_GROUP_ID });
let restarting: Promise<void> | undefined;
let stopping = false;

const refresh = setInterval(() => {
  if (restarting || stopping) return;
  restarting = (async () => {
    const next = await discoverDlqTopics(admin, pattern, env.DLQ_TOPICS ?? [], own);
    const added = newTopics(topics, next);
    if (added.length === 0) return;
    logger.info({ added }, 'new DLQ topics: restarting the consumer with them');
    await app.stop(`new DLQ topics: ${added.join(', ')}`);
    topics = next;
    app = await startRedriver({ env, topics, groupId: env.DLQ_GROUP_ID });
  })()
    .catch((err: unknown) => {
      logger.error({ err }, 'DLQ topic refresh failed');
      // A failed restart leaves no consumer running: exit and let the supervisor (k8s) restart us.
      if (!stopping) process.exit(1);
    })
    .finally(() => {
      restarting = undefined;
    });
}, env.DLQ_TOPIC_REFRESH_MS);

const onSignal = (signal: NodeJS.Signals) => {
  stopping = true;
  clearInterval(refresh);
  const deadline = setTimeout(() => {
    logger.error({ signal }, 'shutdown deadline passed; exiting with in-flight work uncommitted');
    process.exit(1);
  }, env.MESH_SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  (async () => {
    await restarting;
    await app.stop(`received ${signal}`);
    await admin.disconnect();
  })().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.once('SIGTERM', onSignal);
process.once('SIGINT', onSignal);
