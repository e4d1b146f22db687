// Wires the replay-coordinator on kafka-runtime. It has no source topic: it acts on the replay_*
// control commands (reaching onControl on every instance, verified), keeps plans and checkpoints
// in PostgreSQL, and runs the plans it claims.
import path from 'node:path';
import pg from 'pg';
import type { MeshAppOptions } from '@ingest-mesh/kafka-runtime';
import { loadMigrations, migrate } from '@ingest-mesh/pg-kit';
import { CommandHandler } from './commands.js';
import { APP, type CoordinatorEnv } from './config.js';
import { Runner } from './runner.js';
import { ReplayStore } from './store.js';
import { TenantRecognizer } from './tenant-of.js';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../migrations');

export function coordinatorApp(env: CoordinatorEnv): MeshAppOptions {
  return {
    app: APP,
    env,
    topics: [],
    groupId: env.REPLAY_GROUP_ID,
    controlScopes: ['replay'],
    build: async (ctx) => {
      const { logger, admin, events } = ctx;
      const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: env.REPLAY_PG_POOL_MAX, application_name: APP });
      pool.on('error', (err) => logger.warn({ err }, 'an idle PostgreSQL connection was dropped'));
      const migrations = await migrate(pool, await loadMigrations(MIGRATIONS_DIR), { schema: env.REPLAY_SCHEMA });
      logger.info({ schema: env.REPLAY_SCHEMA, applied: migrations.applied }, 'PostgreSQL ready');
      const store = new ReplayStore(pool, env.REPLAY_SCHEMA);
      const recognizer = new TenantRecognizer(async (id) => {
        const schema = (await ctx.registry.getSchema(id)) as { fields?: { name: string; type: { typeName?: string } }[] };
        const first = schema.fields?.[0];
        return first?.name === 'tenant' && first.type.typeName === 'string';
      });
      const runner = new Runner({
        kafka: ctx.kafka,
        admin,
        producer: ctx.producer,
        store,
        recognizer,
        instanceId: ctx.instanceId,
        leaseMs: env.REPLAY_LEASE_MS,
        batchRecords: env.REPLAY_BATCH_RECORDS,
        fetchMaxBytes: env.REPLAY_FETCH_MAX_BYTES,
        groupPrefix: env.REPLAY_GROUP_PREFIX,
        pollMs: env.REPLAY_POLL_MS,
        maxConcurrent: env.REPLAY_MAX_CONCURRENT_RUNS,
        maxFailures: env.REPLAY_MAX_FAILURES,
        events,
        logger,
      });
      const commands = new CommandHandler({
        store,
        admin,
        instanceId: ctx.instanceId,
        approvalThreshold: env.REPLAY_APPROVAL_THRESHOLD,
        limits: { maxThrottle: env.REPLAY_MAX_THROTTLE, allowUnthrottled: env.REPLAY_ALLOW_UNTHROTTLED },
        logger,
        onRunnable: () => runner.poke(),
      });
      runner.start();
      return {
        // No source topic: the runtime consumes nothing for it.
        handler: { handle: async (records) => records.map(() => ({ status: 'done' as const })) },
        onControl: (cmd) => commands.handle(cmd),
        details: async () => ({ replay: { schema: env.REPLAY_SCHEMA, runs: runner.active } }),
        close: async () => {
          await runner.stop(); // in-flight segments finish: produced and checkpointed
          await pool.end();
        },
      };
    },
  };
}
