// The mesh's apps as processes of their own for the bench, each on topics, groups, a schema and
// an index prefix of this run (the router through the test harness's spawnRouter).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { keepOutput, REPO_ROOT, stopChild } from '@ingest-mesh/testing';

export interface AppProcess {
  name: string;
  child: ChildProcess;
  port: number;
  /** The last lines it printed, for error messages. */
  output: string[];
}

export function spawnApp(name: 'sink-postgres' | 'sink-search', port: number, env: Record<string, string>, nodeArgs: string[] = []): AppProcess {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO_ROOT, `apps/${name}/src/main.ts`)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, MESH_HTTP_HOST: '127.0.0.1', MESH_HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return track(name, child, port);
}

export function track(name: string, child: ChildProcess, port: number): AppProcess {
  return { name, child, port, output: keepOutput(child, 50) };
}

export async function waitReady(app: AppProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`${app.name} exited during start-up:\n${app.output.join('')}`);
    const res = await fetch(`http://127.0.0.1:${app.port}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${app.name} not ready within ${timeoutMs / 1000} s:\n${app.output.join('')}`);
}

/** SIGTERM (the app finishes and commits; a profile is written), SIGKILL after 15 s. */
export function stopApp(app: AppProcess): Promise<void> {
  return stopChild(app.child);
}
