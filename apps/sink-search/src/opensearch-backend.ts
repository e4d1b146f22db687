// SearchBackend on OpenSearch with the official client. connect() checks the cluster and puts the
// base index template of the prefix (no replicas: one node; dynamic mapping); bulk() sends
// index/delete actions with `version_type: external` and the record's revision as `version`;
// applyEntityMapping() puts an entity type's template and adds its fields to existing indexes.
import { ConnectionError, classify } from '@ingest-mesh/reason-codes';
import { Client, type API } from '@opensearch-project/opensearch';
import { abortable } from './abortable.js';
import type { MappingProperties } from './avro-mapping.js';
import {
  baseTemplate,
  baseTemplateName,
  entityIndexPattern,
  entityTemplate,
  entityTemplateName,
  belongsToPrefix,
  templateNamePatterns,
  type TemplateBody,
} from './index-templates.js';
import { docKey, type BackendHealth, type BulkItem, type BulkItemResult, type DocRef, type MappingRefusal, type SearchBackend } from './search-backend.js';

export type RefreshPolicy = 'false' | 'wait_for' | 'true';

export interface OpenSearchBackendOptions {
  node: string;
  /** The index prefix; the template `<prefix>template` covers `<prefix>*`, `<prefix>entity-<type>` covers `<prefix>*-<type>`. */
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
    return baseTemplateName(this.options.indexPrefix);
  }

  entityTemplateName(entityType: string): string {
    return entityTemplateName(this.options.indexPrefix, entityType);
  }

  async connect(): Promise<void> {
    try {
      await this.client.cluster.health({});
    } catch (err) {
      if (classify(err).code !== 'CONNECTION_ERROR') throw err;
      throw new ConnectionError(`cannot reach OpenSearch at ${new URL(this.options.node).origin}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    await this.client.indices.putIndexTemplate({
      name: this.templateName,
      body: templateBody(baseTemplate(this.options.indexPrefix, this.options.replicas ?? 0)),
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

  async applyEntityMapping(entityType: string, properties: MappingProperties, opts: { signal?: AbortSignal } = {}): Promise<MappingRefusal[]> {
    const { indexPrefix, replicas } = this.options;
    const refused: MappingRefusal[] = [];
    const name = this.entityTemplateName(entityType);
    const body = templateBody(entityTemplate(indexPrefix, entityType, properties, replicas ?? 0));
    await refusalOr(refused, name, abortable(this.client.indices.putIndexTemplate({ name, body }), opts.signal));
    // One request per index, so a conflict in one index (a field the engine guessed before this
    // mapping existed) does not keep the fields from the others.
    for (const index of await this.ownIndexes(entityIndexPattern(indexPrefix, entityType), opts.signal)) {
      await refusalOr(
        refused,
        index,
        abortable(
          this.client.indices.putMapping({ index, body: { properties: properties as unknown as API.Indices_PutMapping_RequestBody['properties'] } }),
          opts.signal,
        ),
      );
    }
    return refused;
  }

  /** The open indexes of the pattern that belong to this prefix (not to a longer one's sink). */
  private async ownIndexes(pattern: string, signal: AbortSignal | undefined): Promise<string[]> {
    const listed = await abortable(this.client.cat.indices({ index: [pattern], format: 'json', h: ['index'], expand_wildcards: 'open' }), signal);
    const names = listed.body.flatMap((r) => (r.index === undefined ? [] : [r.index]));
    if (names.length === 0) return [];
    // Indexes without a _meta stamp are left out of this answer, hence the list above.
    const stamped = await abortable(this.client.indices.getMapping({ index: [pattern], expand_wildcards: 'open', filter_path: ['*.mappings._meta'] }), signal);
    const metas = (stamped.body ?? {}) as Record<string, { mappings?: { _meta?: { indexPrefix?: unknown } } }>;
    return names.filter((name) => belongsToPrefix(metas[name]?.mappings?._meta, this.options.indexPrefix)).sort();
  }

  /** Deletes the prefix's templates, the base one and every entity one (tests, clean-up). */
  async deleteTemplates(): Promise<void> {
    for (const name of templateNamePatterns(this.options.indexPrefix)) {
      await this.client.indices.deleteIndexTemplate({ name }, { ignore: [404] });
    }
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

/**
 * Our template is plain JSON (index-templates.ts); the client types every mapping property as a
 * union keyed by literal `type`s, which a mapping derived at run time cannot be checked against.
 */
function templateBody(template: TemplateBody): API.Indices_PutIndexTemplate_RequestBody {
  return template as unknown as API.Indices_PutIndexTemplate_RequestBody;
}

/**
 * Awaits a mapping request; the engine refusing it (4xx but 408/429) is pushed to `refused` as
 * the engine's reason. Anything else (unreachable, 5xx, timeout) is thrown: the writes would fail too.
 */
async function refusalOr(refused: MappingRefusal[], target: string, request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (err) {
    const { statusCode, body } = (err as { meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } } } }).meta ?? {};
    if (statusCode === undefined || statusCode < 400 || statusCode >= 500 || statusCode === 408 || statusCode === 429) throw err;
    const reason = body?.error === undefined ? `HTTP ${statusCode}` : `${body.error.type ?? 'error'}: ${body.error.reason ?? 'no reason given'}`;
    refused.push({ target, reason });
  }
}
