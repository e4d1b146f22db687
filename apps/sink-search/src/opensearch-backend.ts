// SearchBackend on OpenSearch with the official client. connect() checks the cluster and puts the
// index template of the prefix (no replicas: one node; dynamic mapping); bulk() sends index/delete
// actions with `version_type: external` and the record's revision as `version`.
import { ConnectionError, classify } from '@ingest-mesh/reason-codes';
import { Client } from '@opensearch-project/opensearch';
import { indexPattern } from './index-name.js';
import { docKey, type BackendHealth, type BulkItem, type BulkItemResult, type DocRef, type SearchBackend } from './search-backend.js';

export type RefreshPolicy = 'false' | 'wait_for' | 'true';

export interface OpenSearchBackendOptions {
  node: string;
  /** The index prefix; the template `<prefix>template` covers `<prefix>*`. */
  indexPrefix: string;
  refresh?: RefreshPolicy;
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** Replicas of the template's indexes. Default 0. */
  replicas?: number;
}

interface RawItem {
  status?: number;
  result?: string;
  _version?: number;
  error?: { type?: string; reason?: string };
}

export class OpenSearchBackend implements SearchBackend {
  readonly client: Client;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: OpenSearchBackendOptions) {
    this.client = new Client({ node: options.node, requestTimeout: options.requestTimeoutMs ?? 30_000, maxRetries: 0 });
  }

  get templateName(): string {
    return `${this.options.indexPrefix.toLowerCase()}template`;
  }

  async connect(): Promise<void> {
    try {
      await this.client.cluster.health({});
    } catch (err) {
      if (classify(err).code !== 'CONNECTION_ERROR') throw err;
      throw new ConnectionError(`cannot reach OpenSearch at ${new URL(this.options.node).origin}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    await this.client.indices.putIndexTemplate({
      name: this.templateName,
      body: {
        index_patterns: [indexPattern(this.options.indexPrefix)],
        template: { settings: { number_of_replicas: this.options.replicas ?? 0 }, mappings: { dynamic: true } },
      },
    });
  }

  async bulk(items: readonly BulkItem[], opts: { signal?: AbortSignal } = {}): Promise<BulkItemResult[]> {
    if (items.length === 0) return [];
    const body: Record<string, unknown>[] = [];
    for (const item of items) {
      body.push({ [item.action]: { _index: item.index, _id: item.id, version: item.version, version_type: 'external' } });
      if (item.action === 'index') body.push(item.doc ?? {});
    }
    const response = await abortable(this.client.bulk({ body, refresh: this.options.refresh ?? 'false' }), opts.signal);
    const raw = (response.body.items ?? []) as Record<string, RawItem>[];
    return raw.map((entry) => {
      const r = Object.values(entry)[0] ?? {};
      return {
        status: r.status ?? 500,
        ...(r.error?.type !== undefined ? { errorType: r.error.type } : {}),
        ...(r.error?.reason !== undefined ? { errorReason: r.error.reason } : {}),
        ...(r._version !== undefined ? { version: r._version } : {}),
        ...(r.result !== undefined ? { result: r.result } : {}),
      };
    });
  }

  async currentVersions(refs: readonly DocRef[], opts: { signal?: AbortSignal } = {}): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    if (refs.length === 0) return versions;
    const response = await abortable(this.client.mget({ body: { docs: refs.map((r) => ({ _index: r.index, _id: r.id, _source: false })) } }), opts.signal);
    for (const doc of (response.body.docs ?? []) as { _index?: string; _id?: string; found?: boolean; _version?: number }[]) {
      if (doc.found === true && doc._index !== undefined && doc._id !== undefined && doc._version !== undefined) {
        versions.set(docKey({ index: doc._index, id: doc._id }), doc._version);
      }
    }
    return versions;
  }

  close(): Promise<void> {
    this.closing ??= this.client.close();
    return this.closing;
  }

  async health(): Promise<BackendHealth> {
    try {
      const { body } = await this.client.cluster.health({});
      return { ok: body.status !== 'red', details: { cluster: body.cluster_name, status: body.status, nodes: body.number_of_nodes } };
    } catch (err) {
      return { ok: false, details: { error: err instanceof Error ? err.message : String(err) } };
    }
  }
}

/** The client's promise with abort(); aborts the request when the signal does. */
async function abortable<T>(request: Promise<T> & { abort?: () => void }, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return request;
  const onAbort = () => request.abort?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await request;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
