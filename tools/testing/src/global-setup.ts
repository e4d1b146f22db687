// vitest globalSetup for every *.int.spec.ts: makes the real stack available.
//   MESH_STACK=local (default)   tools/stack/stack.sh up (idempotent; quick when already up)
//   MESH_STACK=external          use the endpoints in the env as they are; fail if unreachable
//   MESH_STACK=testcontainers    start the same components in Docker (needs a Docker engine)
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_PORTS, hostPort, parseStackMode, stackEndpoints, type StackVar } from './stack-env.js';

const workspaceRoot = path.resolve(import.meta.dirname, '../../..');

export default async function setup(): Promise<(() => Promise<void>) | void> {
  const mode = parseStackMode(process.env.MESH_STACK);
  if (mode === 'local') {
    execFileSync('bash', [path.join(workspaceRoot, 'tools/stack/stack.sh'), 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
    Object.assign(process.env, stackEndpoints());
    return;
  }
  if (mode === 'external') {
    await assertReachable();
    Object.assign(process.env, stackEndpoints());
    return;
  }
  const { startContainerStack } = await import('./testcontainers-stack.js');
  const stack = await startContainerStack();
  Object.assign(process.env, stack.endpoints);
  return () => stack.stop();
}

async function assertReachable(): Promise<void> {
  const endpoints = stackEndpoints();
  const unreachable: string[] = [];
  for (const key of Object.keys(endpoints) as StackVar[]) {
    const { host, port } = hostPort(endpoints[key], DEFAULT_PORTS[key]);
    if (!(await canConnect(host, port))) unreachable.push(`${key}=${endpoints[key]}`);
  }
  if (unreachable.length > 0) {
    throw new Error(`MESH_STACK=external but nothing answers at ${unreachable.join(', ')}; start those services or fix the variables`);
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
