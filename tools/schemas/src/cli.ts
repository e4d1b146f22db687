// `tools/schemas/register.ts`: registers the mesh's schemas and prints one line per subject.
import { DEFAULT_SCHEMAS_DIR, registerSchemas, type RegisteredSubject, createSchemaRegistry } from '@ingest-mesh/avro';
import { ENDPOINT_DEFAULTS } from '@ingest-mesh/env-config';
import { classify } from '@ingest-mesh/reason-codes';

export const DEFAULT_REGISTRY_URL = ENDPOINT_DEFAULTS.SCHEMA_REGISTRY_URL;

export interface CliOptions {
  dir: string;
  registryUrl: string;
}

const USAGE = 'usage: register.ts [--dir <schemas dir>] [--registry <url>]   (default registry: $SCHEMA_REGISTRY_URL)';

/** Throws Error(usage) for an unknown or incomplete argument. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const opts: CliOptions = { dir: DEFAULT_SCHEMAS_DIR, registryUrl: env.SCHEMA_REGISTRY_URL || DEFAULT_REGISTRY_URL };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--dir' || arg === '--registry') && value !== undefined && !value.startsWith('--')) {
      if (arg === '--dir') opts.dir = value;
      else opts.registryUrl = value;
      i += 1;
    } else {
      throw new Error(`${arg === undefined ? 'missing argument' : `unexpected argument ${arg}`}\n${USAGE}`);
    }
  }
  return opts;
}

export function formatLine(r: RegisteredSubject): string {
  return `${r.subject} id=${r.id} version=${r.version}`;
}

/** Exit code: 0 when every schema is registered, 1 otherwise (one line on stderr saying why). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv, env);
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 2;
  }
  try {
    const registered = await registerSchemas(createSchemaRegistry({ host: opts.registryUrl }), opts.dir);
    for (const r of registered) out(formatLine(r));
    return 0;
  } catch (e) {
    const { code, message } = classify(e);
    err(`schema registration failed at ${opts.registryUrl} (${code}): ${message}`);
    return 1;
  }
}
