// ingest-router: reads its config, builds the app (router-app.ts), runs until SIGTERM.
import { runMeshApp } from '@ingest-mesh/kafka-runtime';
import { loadRouterEnv } from './config.js';
import { routerApp } from './router-app.js';

const env = loadRouterEnv();
await runMeshApp(await routerApp(env, env.ROUTER_GROUP_ID ? { groupId: env.ROUTER_GROUP_ID } : {}));
