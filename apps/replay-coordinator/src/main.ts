// replay-coordinator: approved, throttled, resumable replays of a time window. Reads its config,
// builds the app (coordinator-app.ts), runs until SIGTERM.
import { runMeshApp } from '@ingest-mesh/kafka-runtime';
import { coordinatorApp } from './coordinator-app.js';
import { loadCoordinatorEnv } from './config.js';

await runMeshApp(coordinatorApp(loadCoordinatorEnv()));
