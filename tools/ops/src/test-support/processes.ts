// For the ops int specs: child processes (apps by path, the lag exporter, Prometheus) with their
// output kept for failure messages, stopped gracefully (SIGTERM, then SIGKILL) at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from '../tools.js';

export interface Child {
  name: string;
  process: ChildProcess;
  output: string[];
}

export class Children {
  private readonly all = new Set<Child>();

  start(name: string, command: string, args: string[], env: Record<string, string | undefined>): Child {
    const process_ = spawn(command, args, { cwd: REPO_ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const child: Child = { name, process: process_, output: [] };
    const keep = (chunk: Buffer) => {
      child.output.push(chunk.toString('utf8'));
      if (child.output.length > 200) child.output.shift();
    };
    process_.stdout?.on('data', keep);
    process_.stderr?.on('data', keep);
    this.all.add(child);
    process_.on('exit', () => this.all.delete(child));
    return child;
  }

  /** A TypeScript entry point of this repository, run as `npm start` runs the apps. */
  node(name: string, entry: string, env: Record<string, string | undefined>): Child {
    return this.start(name, process.execPath, ['--conditions=@ingest-mesh/source', '--import', 'tsx', entry], env);
  }

  async stop(child: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = child.process;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.all].map((c) => this.stop(c)));
  }

  describe(): string {
    return [...this.all].map((c) => `--- ${c.name}\n${c.output.join('').slice(-3000)}`).join('\n');
  }
}
