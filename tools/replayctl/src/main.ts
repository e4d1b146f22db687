// replayctl entry point: configuration, connections, and the exit status (README: exit codes).
import pg from 'pg';
import { ControlSecretError, signingSecretFromEnv } from '@ingest-mesh/control';
import { ConfigError } from '@ingest-mesh/env-config';
import { EXIT, runCli, USAGE, UsageError } from './cli.js';
import { kafkaSender, UnreachableError, type Sender } from './control.js';
import { issuedByFromEnv, loadCliEnv } from './env.js';
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
      sender: () => (sender ??= kafkaSender(env, reader, signingSecret())),
      issuedBy: issuedByFromEnv(),
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
      process.stderr.write(
        `cannot reach PostgreSQL (${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}): ${err instanceof Error ? err.message : String(err)}\n`,
      );
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

/** MESH_CONTROL_SECRET or MESH_CONTROL_SECRET_FILE; missing or bad is a usage error (exit 2) naming them. */
function signingSecret(): string {
  try {
    return signingSecretFromEnv(process.env);
  } catch (err) {
    if (err instanceof ControlSecretError) throw new UsageError(err.message);
    throw err;
  }
}

process.exitCode = await main();
