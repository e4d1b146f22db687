// replayctl entry point: configuration, connections, and the exit status (README: exit codes).
import os from 'node:os';
import pg from 'pg';
import { ConfigError } from '@ingest-mesh/kafka-runtime';
import { EXIT, runCli, USAGE, UsageError } from './cli.js';
import { kafkaSender, UnreachableError, type Sender } from './control.js';
import { loadCliEnv } from './env.js';
import { ReplayReader } from './read.js';

async function main(): Promise<number> {
  let env;
  try {
    env = loadCliEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2, application_name: 'replayctl', connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  const reader = new ReplayReader(pool, env.REPLAY_SCHEMA);
  let sender: Sender | undefined;
  try {
    return await runCli(process.argv.slice(2), {
      reader,
      sender: () => {
        if (!env.MESH_CONTROL_SECRET) throw new UsageError('MESH_CONTROL_SECRET is not set: commands that change something are signed with it (set it in the environment)');
        return (sender ??= kafkaSender(env, reader, env.MESH_CONTROL_SECRET));
      },
      issuedBy: env.REPLAYCTL_USER ?? `${os.userInfo().username}@${os.hostname()}`,
      out: (t) => process.stdout.write(`${t}\n`),
      err: (t) => process.stderr.write(`${t}\n`),
    });
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (err instanceof UnreachableError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.unreachable;
    }
    const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
    if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', '3D000', '28000'].includes(code) || /timeout exceeded when trying to connect/i.test(String(err))) {
      process.stderr.write(`cannot reach PostgreSQL (${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}): ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT.unreachable;
    }
    if (code === '42P01') {
      process.stderr.write(`no replay store in schema ${env.REPLAY_SCHEMA}: has a replay-coordinator started with REPLAY_SCHEMA=${env.REPLAY_SCHEMA}?\n`);
      return EXIT.unreachable;
    }
    throw err;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

process.exitCode = await main();
