// ingest-router: reads config, wires the libs, runs until SIGTERM.
import { stopOnSignals } from '@ingest-mesh/kafka-runtime';
import { loadRouterEnv } from './config.js';
import { startRouter } from './router-app.js';

const env = loadRouterEnv();
stopOnSignals(await startRouter(env, env.ROUTER_GROUP_ID ? { groupId: env.ROUTER_GROUP_ID } : {}), env.MESH_SHUTDOWN_DEADLINE_MS);
