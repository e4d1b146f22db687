// The CLI's environment. The control secret comes only from MESH_CONTROL_SECRET (never a flag,
// never printed); issuedBy from MESH_OPERATOR or the OS user.
import { userInfo } from 'node:os';
import { badConfig } from './exit-codes.js';

export interface CliConfig {
  databaseUrl: string;
  brokers: string[];
  registryUrl: string;
  controlTopic: string;
  schema: string;
  operator: string;
  /** Read lazily: only commands that publish need it. */
  secret(): string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const get = (name: string, fallback: string) => (env[name]?.trim() ? env[name]!.trim() : fallback);
  const schema = get('DLQ_STORE_SCHEMA', 'mesh_dlq');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw badConfig(`DLQ_STORE_SCHEMA: expected a lower-case schema name such as mesh_dlq (got "${schema}")`);
  return {
    databaseUrl: get('DATABASE_URL', 'postgres://mesh@127.0.0.1:5432/mesh'),
    brokers: get('KAFKA_BROKERS', '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    registryUrl: get('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7'),
    controlTopic: get('MESH_CONTROL_TOPIC', 'mesh.control'),
    schema,
    operator: get('MESH_OPERATOR', safeUser()),
    secret: () => {
      const secret = env['MESH_CONTROL_SECRET'];
      if (!secret || Buffer.byteLength(secret, 'utf8') < 32) throw badConfig('MESH_CONTROL_SECRET: set it in the environment to the mesh control secret (at least 32 bytes)');
      return secret;
    },
  };
}

function safeUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
