// `mesh <command>`: today `doctor`, the preflight of a deployment. Exit codes: 0 every check
// passed (skips allowed), 1 a check failed, 2 usage error.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SCHEMAS_DIR } from '@ingest-mesh/avro';
import { checkKafka } from './checks/kafka.js';
import { checkPostgres } from './checks/postgres.js';
import { checkRedis } from './checks/redis.js';
import { checkRegistry } from './checks/registry.js';
import { checkSearch } from './checks/search.js';
import { checkSecrets } from './checks/secrets.js';
import type { CheckRow } from './checks/types.js';
import { doctorConfig } from './config.js';
import { renderJson, renderTable, summarize } from './render.js';

export const AREAS = ['config', 'kafka', 'registry', 'postgres', 'redis', 'search'] as const;

export const USAGE = `usage: mesh doctor [--json] [--only ${AREAS.join(',')}] [--apps a,b] [--min-partitions 3] [--timeout-ms 5000] [--schemas DIR]

Preflight checks of the mesh's environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL,
REDIS_URL, SEARCH_URL, MESH_CONTROL_SECRET, MESH_ADMIN_TOKEN, SINK_PG_SCHEMA, SINK_PG_TABLES,
DLQ_STORE_SCHEMA, REPLAY_SCHEMA, MESH_APPS, MESH_CONTROL_TOPIC, MESH_EVENTS_TOPIC, ROUTER_*_TOPIC). Exit 0: all pass; 1: a check failed; 2: usage.`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  color?: boolean;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io, cwd = process.cwd()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        only: { type: 'string' },
        apps: { type: 'string' },
        'min-partitions': { type: 'string', default: '3' },
        'timeout-ms': { type: 'string', default: '5000' },
        schemas: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals[0] !== 'doctor' || positionals.length > 1) {
    io.err(`${positionals.length === 0 ? 'no command' : `unknown command "${positionals.join(' ')}"`}\n${USAGE}`);
    return 2;
  }
  const only = values.only ? values.only.split(',').map((a) => a.trim()) : [...AREAS];
  const unknown = only.filter((a) => !(AREAS as readonly string[]).includes(a));
  const minPartitions = Number(values['min-partitions']);
  const timeoutMs = Number(values['timeout-ms']);
  if (unknown.length > 0 || !Number.isInteger(minPartitions) || minPartitions < 1 || !Number.isInteger(timeoutMs) || timeoutMs < 100) {
    io.err(`${unknown.length > 0 ? `unknown area ${unknown.join(', ')}` : '--min-partitions must be an integer ≥ 1 and --timeout-ms ≥ 100'}\n${USAGE}`);
    return 2;
  }
  const config = doctorConfig(env, cwd, values.apps);
  const schemasDir = values.schemas ? path.resolve(cwd, values.schemas) : DEFAULT_SCHEMAS_DIR;
  const want = new Set(only);
  // Independent areas run concurrently; the table keeps the fixed order of AREAS.
  const results = await Promise.all([
    want.has('config') ? Promise.resolve(checkSecrets(env)) : [],
    want.has('kafka') ? checkKafka({ brokers: config.brokers, apps: config.apps, minPartitions, topics: config.topics, timeoutMs }) : [],
    want.has('registry') ? checkRegistry(config.registryUrl, schemasDir, timeoutMs) : [],
    want.has('postgres')
      ? checkPostgres({
          url: config.databaseUrl,
          sinkSchema: config.sinkSchema,
          tablesFile: config.tablesFile,
          optionalSchemas: { [config.dlqSchema]: 'dlq-redriver', [config.replaySchema]: 'replay-coordinator' },
          timeoutMs,
        })
      : [],
    want.has('redis') ? checkRedis(config.redisUrl, timeoutMs) : [],
    want.has('search') ? checkSearch(config.searchUrl, timeoutMs) : [],
  ]);
  const rows: CheckRow[] = results.flat();
  io.out(values.json ? renderJson(rows) : renderTable(rows, io.color ?? false));
  return summarize(rows).fail > 0 ? 1 : 0;
}
