// docker-compose.yml and MESH_STACK=testcontainers must run the versions tools/stack pins.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackVersions } from '@ingest-mesh/testing';

const root = path.resolve(import.meta.dirname, '../../..');
const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const images = Object.fromEntries([...compose.matchAll(/^\s+image:\s*(\S+):(\S+)\s*$/gm)].map((m) => [m[1]!, m[2]!]));

describe('docker-compose.yml', () => {
  const v = stackVersions();
  it.each([
    ['apache/kafka', 'KAFKA_VERSION'],
    ['apicurio/apicurio-registry', 'APICURIO_VERSION'],
    ['opensearchproject/opensearch', 'OPENSEARCH_VERSION'],
    ['postgres', 'POSTGRES_MAJOR'],
    ['redis', 'REDIS_MAJOR'],
  ])('runs %s at versions.env %s', (image, variable) => {
    expect(images[image]).toBe(v[variable]);
  });

  it('publishes every port on loopback only', () => {
    const ports = [...compose.matchAll(/ports:\s*\[(.*)\]/g)].map((m) => m[1]!);
    expect(ports).toHaveLength(5);
    for (const p of ports) expect(p).toMatch(/^"127\.0\.0\.1:\d+:\d+"$/);
  });
});
