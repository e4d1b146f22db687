// Reads what sink-search indexed for the demo's records: waits until every expected document is
// in its index (<prefix><tenant>-<entityType>) at its revision (the external version), then runs
// one full-text query, the way a user of the index would.
export interface ExpectedDoc {
  tenant: string;
  entityType: string;
  id: string;
  revision: number;
}

export interface SearchHit {
  index: string;
  id: string;
  version: number;
  source: Record<string, unknown>;
}

interface Options {
  searchUrl: string;
  indexPrefix: string;
  timeoutMs: number;
}

const indexOf = (prefix: string, d: { tenant: string; entityType: string }) => `${prefix}${d.tenant}-${d.entityType}`.toLowerCase();

/** The expected documents not (yet) indexed at their revision once every one is there or the time is up. */
export async function waitForDocuments(expected: readonly ExpectedDoc[], opts: Options): Promise<ExpectedDoc[]> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const res = await fetch(`${opts.searchUrl.replace(/\/$/, '')}/_mget`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ docs: expected.map((e) => ({ _index: indexOf(opts.indexPrefix, e), _id: e.id, _source: false })) }),
    });
    const docs = res.ok ? ((await res.json()) as { docs: { found?: boolean; _version?: number }[] }).docs : [];
    const missing = expected.filter((e, i) => docs[i]?.found !== true || docs[i]?._version !== e.revision);
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A match query on one field of one tenant's entity index. */
export async function searchText(tenant: string, entityType: string, field: string, text: string, opts: Options): Promise<SearchHit[]> {
  const index = indexOf(opts.indexPrefix, { tenant, entityType });
  const res = await fetch(`${opts.searchUrl.replace(/\/$/, '')}/${encodeURIComponent(index)}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: true, query: { match: { [field]: text } } }),
  });
  if (!res.ok) throw new Error(`search in ${index} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const body = (await res.json()) as { hits: { hits: { _index: string; _id: string; _version: number; _source: Record<string, unknown> }[] } };
  return body.hits.hits.map((h) => ({ index: h._index, id: h._id, version: h._version, source: h._source }));
}
