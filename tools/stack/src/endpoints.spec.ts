// The shell scripts of the stack keep their own copy of the loopback endpoints (bash cannot import
// TypeScript): each component's default must be the apps' default (@ingest-mesh/env-config).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ENDPOINT_DEFAULTS, type EndpointVar } from '@ingest-mesh/env-config';
import { describe, expect, it } from 'vitest';

const stack = path.resolve(import.meta.dirname, '..');

function componentDefault(component: string): { variable: string; endpoint: string } {
  const env = { ...process.env };
  for (const name of Object.keys(ENDPOINT_DEFAULTS)) delete env[name];
  const script = `set -euo pipefail; . "${stack}/lib.sh"; . "${stack}/components/${component}.sh"; printf '%s\\n%s' "$(${component}_env_var)" "$(${component}_endpoint)"`;
  const [variable = '', endpoint = ''] = execFileSync('bash', ['-c', script], { encoding: 'utf8', env }).split('\n');
  return { variable, endpoint };
}

describe('the stack components default to the apps’ endpoints', () => {
  it.each<[string, EndpointVar]>([
    ['kafka', 'KAFKA_BROKERS'],
    ['registry', 'SCHEMA_REGISTRY_URL'],
    ['postgres', 'DATABASE_URL'],
    ['redis', 'REDIS_URL'],
    ['search', 'SEARCH_URL'],
  ])('components/%s.sh: %s', (component, variable) => {
    expect(componentDefault(component)).toEqual({ variable, endpoint: ENDPOINT_DEFAULTS[variable] });
  });
});
