// For *.int.spec.ts only: ingest-router as a process of its own (an app never imports another
// app, so sinks' end-to-end tests spawn it by path), with a config, topics and consumer group (ROUTER_GROUP_ID) unique to a test run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './wait.js';

/** The repository root (tools/testing/src/../../..). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const ROUTER_SRC = path.join(REPO_ROOT, 'apps/ingest-router/src');

export interface RouterProcessOptions {
  run: string;
  /** The router config (router.yaml as an object). */
  config: unknown;
  env: Record<string, string>;
  /** A free TCP port for its HTTP server (freePort of @ingest-mesh/testing, in the spec). */
  port: number;
  /** Extra node options, e.g. --cpu-prof (the bench). */
  nodeArgs?: string[];
}

export interface RouterProcess {
  child: ChildProcess;
  port: number;
  sourceTopic: string;
  topics: string[];
  groupId: string;
  /** The config file written for it (remove it when done). */
  configFile: string;
}

export async function spawnRouter(opts: RouterProcessOptions): Promise<RouterProcess> {
  const configFile = path.join(os.tmpdir(), `router-${opts.run}-${randomUUID()}.json`);
  writeFileSync(configFile, JSON.stringify(opts.config));
  const { port } = opts;
  const sourceTopic = `test.ingest.raw.${opts.run}`;
  const topics = [sourceTopic, `test.ingest.deferred.${opts.run}`, `test.mesh.routes.${opts.run}`, `test.mesh.control.router.${opts.run}`];
  const groupId = `test.ingest-router.${opts.run}`;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(ROUTER_SRC, 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...opts.env,
      ROUTER_CONFIG: configFile,
      ROUTER_SOURCE_TOPIC: topics[0],
      ROUTER_DEFERRED_TOPIC: topics[1],
      ROUTER_ROUTES_TOPIC: topics[2],
      MESH_CONTROL_TOPIC: topics[3],
      MESH_HTTP_HOST: '127.0.0.1',
      MESH_HTTP_PORT: String(port),
      ROUTER_SCHEMA_REFRESH_MS: '1000',
      ROUTER_GROUP_ID: groupId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, port, sourceTopic, topics, groupId, configFile };
}

/** Waits until the router answers /health/ready with 200; the error carries what it printed. */
export async function routerReady(router: RouterProcess, timeoutMs = 90_000): Promise<void> {
  const url = `http://127.0.0.1:${router.port}/health/ready`;
  await waitFor('the router to be ready', async () => ((await fetch(url).catch(() => undefined))?.status === 200 ? true : undefined), timeoutMs).catch(
    (err: Error) => {
      throw new Error(`${err.message}\n${((router.child as { output?: string[] }).output ?? []).join('')}`);
    },
  );
}

/** SIGTERM, then waits until it has exited. */
export async function stopRouter(router: RouterProcess | undefined): Promise<void> {
  if (!router) return;
  router.child.kill('SIGTERM');
  await new Promise((resolve) => (router.child.exitCode === null ? router.child.once('exit', resolve) : resolve(undefined)));
}
