// A stack of the chaos run's own, so that killing Kafka or PostgreSQL never touches the stack other
// tests use: tools/stack/stack.sh with MESH_STACK_HOME in a temp dir and every port freshly picked,
// the artifacts of the main stack (nothing is downloaded). The schema registry is not ours: the
// ambient one (SCHEMA_REGISTRY_URL) is only read (the mesh's schemas, registered idempotently),
// and it is no target of the chaos — it stores in PostgreSQL, so killing our PostgreSQL under it
// would test Apicurio, not the mesh.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT, stackEndpoints } from '@ingest-mesh/testing';
import type { InfraName } from './schedule.js';

const STACK_SH = path.join(REPO_ROOT, 'tools/stack/stack.sh');

export interface StackEndpoints {
  KAFKA_BROKERS: string;
  DATABASE_URL: string;
  REDIS_URL: string;
  SEARCH_URL: string;
  SCHEMA_REGISTRY_URL: string;
}

export class ChaosStack {
  private constructor(
    readonly home: string,
    readonly endpoints: StackEndpoints,
    private readonly stackEnv: NodeJS.ProcessEnv,
  ) {}

  static async create(): Promise<ChaosStack> {
    const home = mkdtempSync(path.join(os.tmpdir(), 'mesh-chaos-'));
    // As root, PostgreSQL and OpenSearch run as their own OS users and must traverse the home.
    chmodSync(home, 0o755);
    const [kafka, controller, postgres, redis, search, transport] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    const endpoints: StackEndpoints = {
      KAFKA_BROKERS: `127.0.0.1:${kafka}`,
      DATABASE_URL: `postgres://mesh@127.0.0.1:${postgres}/mesh`,
      REDIS_URL: `redis://127.0.0.1:${redis}`,
      SEARCH_URL: `http://127.0.0.1:${search}`,
      SCHEMA_REGISTRY_URL: stackEndpoints().SCHEMA_REGISTRY_URL,
    };
    const artifacts = process.env.MESH_STACK_ARTIFACTS ?? path.join(process.env.MESH_STACK_HOME ?? path.join(REPO_ROOT, '.stack'), 'artifacts');
    const stackEnv = {
      ...process.env,
      ...endpoints,
      MESH_STACK_HOME: home,
      MESH_STACK_ARTIFACTS: artifacts,
      KAFKA_CONTROLLER_PORT: String(controller),
      SEARCH_TRANSPORT_PORT: String(transport),
      // Smaller heaps than the main stack's: this one lives next to it on the same machine.
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
    };
    return new ChaosStack(home, endpoints, stackEnv);
  }

  /** `stack.sh up <components>`; resolves once they are healthy, rejects with the script's output. */
  up(...components: InfraName[]): Promise<void> {
    return this.script('up', components);
  }

  /** `stack.sh down <component>`: the graceful stop. */
  down(component: InfraName): Promise<void> {
    return this.script('down', [component]);
  }

  /** kill -9 of the component's whole process group (setsid made its pid the group leader): a crash. */
  kill(component: InfraName): void {
    const pidFile = path.join(this.home, 'run', `${component}.pid`);
    if (!existsSync(pidFile)) throw new Error(`${component} has no pid file ${pidFile}: not started by the chaos stack`);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }

  /** Stops every component (only ours: stack.sh stops what has a pid file under our home) and removes the home. */
  async destroy(keep: boolean): Promise<void> {
    await this.script('down', []).catch((err: unknown) => console.error(`chaos: stack down failed: ${(err as Error).message}`));
    if (!keep) rmSync(this.home, { recursive: true, force: true });
  }

  private script(cmd: 'up' | 'down', components: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [STACK_SH, cmd, ...components], { env: this.stackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`stack.sh ${cmd} ${components.join(' ')} exited ${code}:\n${out}`))));
    });
  }
}
