import { parseEnv, runtimeEnvShape } from '@ingest-mesh/kafka-runtime';
import { describe, expect, it } from 'vitest';
import { sinkRuntimeEnv } from './sink-app.js';

const env = parseEnv(runtimeEnvShape, { MESH_ADMIN_TOKEN: 'a'.repeat(16), MESH_CONTROL_SECRET: 's'.repeat(32), MESH_EXHAUSTED_RETRIES: 'dlq' });

describe('sinkRuntimeEnv', () => {
  it('blocks on exhausted retries by default: infrastructure failures wait for the sink, never the DLQ', () => {
    expect(sinkRuntimeEnv(env, false).MESH_EXHAUSTED_RETRIES).toBe('block');
  });

  it('dead-letters exhausted retries (retryable=true) when the sink opts in, whatever the environment says', () => {
    expect(sinkRuntimeEnv({ ...env, MESH_EXHAUSTED_RETRIES: 'block' }, true).MESH_EXHAUSTED_RETRIES).toBe('dlq');
  });

  it('leaves every other setting as it is', () => {
    const { MESH_EXHAUSTED_RETRIES: _a, ...rest } = sinkRuntimeEnv(env, false);
    const { MESH_EXHAUSTED_RETRIES: _b, ...before } = env;
    expect(rest).toEqual(before);
  });
});
