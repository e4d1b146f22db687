// For *.int.spec.ts only: a throw-away OpenSearch node of its own (the stack's search component
// with its own stack home, HTTP and transport ports, sharing the stack's unpacked artifacts) that
// a test may stop and start again without touching the stack's node. destroy() removes its files.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './router-process.js';

const run = promisify(execFile);
const STACK = path.join(REPO_ROOT, 'tools/stack/stack.sh');

export class ScratchSearch {
  private constructor(
    readonly home: string,
    readonly port: number,
    readonly transportPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `port`, `transportPort`: free TCP ports (freePort of @ingest-mesh/testing, in the spec). */
  static async create(port: number, transportPort: number): Promise<ScratchSearch> {
    const home = mkdtempSync(path.join(os.tmpdir(), 'mesh-search-scratch-'));
    // OpenSearch runs as its own OS user when we are root: it must be able to reach its data dir.
    chmodSync(home, 0o755);
    const server = new ScratchSearch(home, port, transportPort);
    await server.start();
    return server;
  }

  /** Starts the node and waits until its cluster is green or yellow (tools/stack). */
  async start(): Promise<void> {
    await this.stack('up');
  }

  /** Stops the node (SIGTERM, as an operator or the orchestrator would); its data is kept. */
  async stop(): Promise<void> {
    await this.stack('down');
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }

  private async stack(command: 'up' | 'down'): Promise<void> {
    const stackHome = process.env.MESH_STACK_HOME ?? path.join(REPO_ROOT, '.stack');
    await run('bash', [STACK, command, 'search'], {
      cwd: REPO_ROOT,
      timeout: 180_000,
      env: {
        ...process.env,
        MESH_STACK_HOME: this.home,
        MESH_STACK_ARTIFACTS: process.env.MESH_STACK_ARTIFACTS ?? path.join(stackHome, 'artifacts'),
        SEARCH_URL: this.url,
        SEARCH_TRANSPORT_PORT: String(this.transportPort),
      },
    });
  }
}
