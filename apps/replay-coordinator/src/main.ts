// replay-coordinator: approved, throttled, resumable replays of a time window. Acts on the
// replay_* control commands (plan, approve, run, pause, resume, cancel, legal holds), keeps
// plans and checkpoints in PostgreSQL and runs claimed plans until SIGTERM.
//
// The runtime needs a source topic: the coordinator's is the control topic, read by its group
// with a no-op handler (the commands themselves reach onControl on every instance, verified).
import path from 'node:path';
import pg from 'pg';
import { runMeshApp } from '@ingest-mesh/kafka-runtime';
import { loadMigrations, migrate } from '@ingest-mesh/pg-kit';
import { createLogger, EventPublisher } from '@ingest-mesh/telemetry';
import { CommandHandler } from './commands.js';
import { APP, loadCoordinatorEnv } from './config.js';
import { Runner } from './runner.js';
import { ReplayStore } from './store.js';
import { TenantRecognizer } from './tenant-of.js';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../migrations');

const env = loadCoordinatorEnv();
const logger = createLogger({ app: APP, level: env.LOG_LEVEL });

await runMeshApp({
  app: APP,
  env,
  topics: [env.MESH_CONTROL_TOPIC],
  groupId: env.REPLAY_GROUP_ID,
  controlScopes: ['replay'],
  build: async (ctx) => {
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: env.REPLAY_PG_POOL_MAX, application_name: APP });
    pool.on('error', (err) => logger.warn({ err }, 'an idle PostgreSQL connection was dropped'));
    const migrations = await migrate(pool, await loadMigrations(MIGRATIONS_DIR), { schema: env.REPLAY_SCHEMA });
    logger.info({ schema: env.REPLAY_SCHEMA, applied: migrations.applied }, 'PostgreSQL ready');
    const store = new ReplayStore(pool, env.REPLAY_SCHEMA);
    const admin = ctx.kafka.admin();
    await admin.connect();
    const events = new EventPublisher({ producer: ctx.producer, registry: ctx.registry, app: APP, topic: env.MESH_EVENTS_TOPIC, instance: ctx.instanceId, logger, metrics: ctx.metrics });
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
      handler: { handle: async (records) => records.map(() => ({ status: 'done' as const })) },
      onControl: (cmd) => commands.handle(cmd),
      details: async () => ({ replay: { schema: env.REPLAY_SCHEMA, runs: runner.active } }),
      close: async () => {
        await runner.stop(); // in-flight segments finish: produced and checkpointed
        await admin.disconnect();
        await pool.end();
      },
    };
  },
});
