// Index templates of nested prefixes on the real engine: OpenSearch refuses two composable
// templates with overlapping patterns and equal priority, so a sink with prefix `<p>eu-` must
// start next to one with prefix `<p>`, and each index gets the template of its longest prefix.
import { randomUUID } from 'node:crypto';
import { stackEndpoints } from '@ingest-mesh/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { OpenSearchBackend } from './opensearch-backend.js';

const { SEARCH_URL } = stackEndpoints();
const base = `it-tpl-${randomUUID().slice(0, 8)}-`;

describe('index templates of nested prefixes', () => {
  const outer = new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: base, replicas: 0 });
  const inner = new OpenSearchBackend({ node: SEARCH_URL, indexPrefix: `${base}eu-`, replicas: 1 });

  afterAll(async () => {
    await outer.client.indices.delete({ index: `${base}*`, ignore_unavailable: true });
    for (const b of [outer, inner]) await outer.client.indices.deleteIndexTemplate({ name: b.templateName }).catch(() => undefined);
    await outer.close();
    await inner.close();
  });

  it('both sinks connect, and each index takes the template of its own prefix', async () => {
    await outer.connect();
    await inner.connect();
    await outer.client.indices.create({ index: `${base}acme-customer` });
    await outer.client.indices.create({ index: `${base}eu-acme-customer` });
    const settings = await outer.client.indices.getSettings({ index: `${base}*` });
    expect(settings.body[`${base}acme-customer`]?.settings?.index?.number_of_replicas).toBe('0');
    expect(settings.body[`${base}eu-acme-customer`]?.settings?.index?.number_of_replicas).toBe('1');
  });
});
