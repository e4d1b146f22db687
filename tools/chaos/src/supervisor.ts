// The mesh's apps as supervised child processes (started by path, like the int tests do), the
// way an orchestrator runs them: whatever ends a process — our SIGKILL, or a fail-fast exit
// because Kafka or PostgreSQL is away at start-up — it is started again, after a pause. Output
// goes to <home>/logs/apps/<name>.log.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@ingest-mesh/testing';

export interface AppSpec {
  /** Name in the schedule and the logs. */
  name: string;
  /** apps/<app>/src/main.ts */
  app: 'ingest-router' | 'sink-postgres' | 'sink-search';
  port: number;
  env: Record<string, string>;
}

const RESTART_PAUSE_MS = 1_000;

export class Supervised {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  private stopping = false;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Exits we did not cause (crash or fail-fast at start-up). */
  unexpectedExits = 0;
  kills = 0;
  starts = 0;

  constructor(
    readonly spec: AppSpec,
    logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
    this.log = createWriteStream(path.join(logDir, `${spec.name}.log`), { flags: 'a' });
  }

  get logFile(): string {
    return this.log.path as string;
  }

  start(): void {
    if (this.stopping) return;
    this.starts += 1;
    this.log.write(`\n=== chaos: start #${this.starts} at ${new Date().toISOString()} ===\n`);
    const child = spawn(process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', path.join(REPO_ROOT, `apps/${this.spec.app}/src/main.ts`)], {
      cwd: REPO_ROOT,
      // A new instance id per start, as an orchestrator's new pod gets a new name.
      env: {
        ...process.env,
        ...this.spec.env,
        MESH_INSTANCE_ID: `chaos-${this.spec.name}-${this.starts}`,
        MESH_HTTP_HOST: '127.0.0.1',
        MESH_HTTP_PORT: String(this.spec.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      this.log.write(`=== chaos: exited code=${code} signal=${signal} at ${new Date().toISOString()} ===\n`);
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopping) return;
      if (signal !== 'SIGKILL') this.unexpectedExits += 1;
      const wait = Math.max(RESTART_PAUSE_MS, this.pausedUntil - Date.now());
      this.timer = setTimeout(() => this.start(), wait);
    });
    this.child = child;
  }

  /** SIGKILL now; the supervisor starts it again after `downMs`. */
  kill(downMs: number): void {
    this.kills += 1;
    this.pausedUntil = Date.now() + downMs;
    this.log.write(`=== chaos: SIGKILL at ${new Date().toISOString()}, down ${downMs} ms ===\n`);
    this.child?.kill('SIGKILL');
  }

  async ready(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${this.spec.port}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      if (res?.status === 200) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  }

  /** SIGTERM (the app finishes its round and commits), SIGKILL after the grace; no restart. */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(force);
    }
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}
