// dlq-redriver: every dlq.* topic → the DLQ store in PostgreSQL; automatic redrive of retryable
// letters on delay tiers with a loop guard; redrive, quarantine and purge on signed commands.
// Reads its config, builds the app (discovering DLQ topics as they appear), runs until SIGTERM.
import { runMeshApp } from '@ingest-mesh/kafka-runtime';
import { loadRedriverEnv } from './config.js';
import { redriverApp } from './redriver-app.js';

const env = loadRedriverEnv();
await runMeshApp(redriverApp({ env, discover: true, groupId: env.DLQ_GROUP_ID }));
