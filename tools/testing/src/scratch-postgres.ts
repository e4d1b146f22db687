// For *.int.spec.ts only: a throw-away PostgreSQL server of its own (initdb into a temp dir, run
// as the postgres OS user, trust auth, 127.0.0.1 on a free port) that a test may stop, kill and
// start again without touching the stack's server. destroy() stops it and removes its files.
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os, { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const OS_USER = 'postgres';

export class ScratchPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** postgres://mesh@127.0.0.1:<port>/postgres (role mesh is the superuser). */
  get url(): string {
    return `postgres://mesh@127.0.0.1:${this.port}/postgres`;
  }

  /** `port`: a free TCP port (freePort of @ingest-mesh/testing, in the spec). */
  static async create(port: number): Promise<ScratchPostgres> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sink-pg-scratch-'));
    const server = new ScratchPostgres(dir, port);
    if (userInfo().uid === 0) {
      const { stdout } = await run('id', ['-u', OS_USER]);
      const { stdout: gid } = await run('id', ['-g', OS_USER]);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await server.asPostgres(path.join(BIN, 'initdb'), ['-D', server.dataDir, '-U', 'mesh', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.asPostgres(path.join(BIN, 'pg_ctl'), ['-D', this.dataDir, '-o', opts, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** Immediate shutdown: every connection dropped at once, no checkpoint (like a crash). */
  async stop(): Promise<void> {
    await this.asPostgres(path.join(BIN, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async asPostgres(file: string, args: string[]): Promise<void> {
    const [cmd, argv] = userInfo().uid === 0 ? ['setpriv', [`--reuid=${OS_USER}`, `--regid=${OS_USER}`, '--init-groups', file, ...args]] : [file, args];
    await run(cmd as string, argv as string[], { cwd: this.dir, timeout: 90_000 });
  }
}
