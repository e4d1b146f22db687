// The OpenAPI document: plain JSON, every response code of the webhook described, refs resolve.
import { describe, expect, it } from 'vitest';
import { webhookOpenApi } from './openapi.js';

const doc = JSON.parse(JSON.stringify(webhookOpenApi)) as {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { description: string; headers?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, unknown> };
};

describe('webhookOpenApi', () => {
  it('is an OpenAPI 3.1 document that survives a JSON round trip', () => {
    expect(doc).toEqual(webhookOpenApi);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/ingest/{tenant}/{entityType}', '/openapi.json']);
  });

  it('describes every status code the webhook answers', () => {
    const responses = doc.paths['/ingest/{tenant}/{entityType}']!.post!.responses;
    expect(Object.keys(responses).sort()).toEqual(['202', '400', '401', '405', '413', '415', '429', '503']);
    for (const response of Object.values(responses)) expect(response.description.length).toBeGreaterThan(10);
    expect(responses['429']!.headers).toHaveProperty('Retry-After');
    expect(responses['503']!.headers).toHaveProperty('Retry-After');
  });

  it('describes the record and envelope schemas, and every $ref resolves', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['WebhookRecord', 'Envelope', 'Accepted', 'ValidationErrors', 'Error']));
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name]).toBeTruthy();
    }
  });
});
