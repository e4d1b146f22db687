// For *.int.spec.ts only (excluded from the build): starts the router in-process on the real
// stack with everything unique to one test run (topics, group, sinks, tenants, tokens), reads
// what it writes, and removes it all afterwards.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { registerSchemas, SchemaCatalog, createSchemaRegistry } from '@ingest-mesh/avro';
import { DLQ_HEADERS, headerString, type MeshApp } from '@ingest-mesh/kafka-runtime';
import { stackEndpoints, waitFor } from '@ingest-mesh/testing';
import { createKafkaClient, type Admin, type Consumer, type KafkaClient, type KafkaMessage, type Message, type Producer } from '@ingest-mesh/kafka-client';
import { loadRouterEnv } from '../config.js';
import { startRouter } from '../router-app.js';
import { parseRouterConfig } from '../router-config.js';
import { sinkTopic } from '../routes.js';
import type { SinkRecord } from '@ingest-mesh/contracts';

const endpoints = stackEndpoints();
export const BROKERS = endpoints.KAFKA_BROKERS.split(',').map((b) => b.trim());
export const REGISTRY_URL = endpoints.SCHEMA_REGISTRY_URL;
/** The router's DLQ, shared by every run: a run's letters are those whose origin is its source topic. */
export const DLQ_TOPIC = 'dlq.ingest-router';
/** Polls give up after this long. */
export const WAIT_MS = 60_000;

/** waitFor of @ingest-mesh/testing with the router tests' longer default. */
export function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  return waitFor(what, probe, timeoutMs);
}

export interface Read {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * One consumer (a group of its own) collecting everything on some topics: from the beginning,
 * or for shared topics from where they end when the tail starts.
 */
export class TopicTail {
  readonly reads: Read[] = [];

  private constructor(
    private readonly admin: Admin,
    private readonly consumer: Consumer,
    readonly groupId: string,
  ) {}

  static async start(kafka: KafkaClient, admin: Admin, opts: { groupId: string; fromBeginning: string[]; fromEnd?: string[] }): Promise<TopicTail> {
    for (const topic of opts.fromEnd ?? []) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId: opts.groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    }
    const consumer = kafka.consumer({ groupId: opts.groupId, maxWaitTimeInMs: 200 });
    const tail = new TopicTail(admin, consumer, opts.groupId);
    await consumer.connect();
    await consumer.subscribe({ topics: [...opts.fromBeginning, ...(opts.fromEnd ?? [])], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        tail.reads.push({ topic, partition, message });
      },
    });
    return tail;
  }

  on(topic: string): KafkaMessage[] {
    return this.reads.filter((r) => r.topic === topic).map((r) => r.message);
  }

  /** Messages of `topic` by key (string), in the order read. */
  byKey(topic: string): Map<string, KafkaMessage[]> {
    const out = new Map<string, KafkaMessage[]>();
    for (const m of this.on(topic)) {
      const key = m.key?.toString('utf8') ?? '';
      out.set(key, [...(out.get(key) ?? []), m]);
    }
    return out;
  }

  /** Waits until every key is on `topic` at least once. */
  async keys(topic: string, keys: readonly string[], timeoutMs = WAIT_MS): Promise<Map<string, KafkaMessage[]>> {
    return until(
      `${keys.length} keys on ${topic}`,
      () => {
        const seen = this.byKey(topic);
        return keys.every((k) => seen.has(k)) ? seen : undefined;
      },
      timeoutMs,
    );
  }

  /** Waits until the tail has read everything on `topic` up to its end offsets now. */
  async settle(topic: string, timeoutMs = WAIT_MS): Promise<KafkaMessage[]> {
    const ends = await this.admin.fetchTopicOffsets(topic);
    await until(
      `the tail to reach the end of ${topic}`,
      () => {
        const read = this.reads.filter((r) => r.topic === topic);
        return ends.every(
          (p) => BigInt(p.high) <= BigInt(p.low) || read.some((r) => r.partition === p.partition && BigInt(r.message.offset) >= BigInt(p.high) - 1n),
        )
          ? true
          : undefined;
      },
      timeoutMs,
    );
    return this.on(topic);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export const header = (m: KafkaMessage, name: string): string | undefined => headerString(m.headers, name);

/** Dead letters of a source topic, one per origin offset (the DLQ is at-least-once). */
export function lettersFrom(tail: TopicTail, sourceTopic: string): KafkaMessage[] {
  const mine = tail.on(DLQ_TOPIC).filter((m) => header(m, DLQ_HEADERS.originTopic) === sourceTopic);
  const origin = (m: KafkaMessage) => `${header(m, DLQ_HEADERS.originPartition)}:${header(m, DLQ_HEADERS.originOffset)}`;
  return [...new Map(mine.map((m) => [origin(m), m])).values()];
}

export interface RouterRunOptions {
  /** Extra entity types routed to the pg sink (e.g. a test subject of the run). */
  extraEntityTypes?: string[];
  env?: Record<string, string>;
}

/**
 * Everything one run of the router uses. Tenants: `acme-<run>` and `globex-<run>` with webhook
 * tokens, `initech-<run>` configured without one. customer → pg + search (email pattern and
 * country enum rules), order → pg (amountCents ≥ 0), except globex's orders, routed nowhere.
 */
export class RouterRun {
  readonly run = randomUUID().replaceAll('-', '').slice(0, 10);
  readonly sourceTopic = `test.ingest.raw.${this.run}`;
  readonly deferredTopic = `test.ingest.deferred.${this.run}`;
  readonly routesTopic = `test.mesh.routes.${this.run}`;
  readonly controlTopic = `test.mesh.control.${this.run}`;
  readonly groupId = `test.ingest-router.${this.run}`;
  readonly pg = `t${this.run}-pg`;
  readonly search = `t${this.run}-search`;
  readonly pgTopic = sinkTopic(this.pg);
  readonly searchTopic = sinkTopic(this.search);
  readonly acme = `acme-${this.run}`;
  readonly globex = `globex-${this.run}`;
  readonly initech = `initech-${this.run}`;
  readonly tokens: Record<string, string> = {
    [`ROUTER_TOKEN_ACME_${this.run.toUpperCase()}`]: randomBytes(24).toString('hex'),
    [`ROUTER_TOKEN_GLOBEX_${this.run.toUpperCase()}`]: randomBytes(24).toString('hex'),
  };
  /** Named in the config, never set: initech has no webhook token. */
  readonly missingTokenEnv = `ROUTER_TOKEN_INITECH_${this.run.toUpperCase()}`;
  readonly kafka = createKafkaClient({ clientId: `router-int-${this.run}`, brokers: BROKERS });
  readonly registry = createSchemaRegistry({ host: REGISTRY_URL });
  /** The test's own catalog, to decode what the router wrote. */
  readonly catalog = new SchemaCatalog({ registry: this.registry, refreshMs: 1000 });
  admin!: Admin;
  producer!: Producer;
  app!: MeshApp;
  tail!: TopicTail;
  private readonly groups: string[] = [this.groupId];
  /** The route listener's groups (`ingest-router-routes-<uuid>`, new per start) present before this run. */
  private routeGroupsBefore = new Set<string>();

  constructor(private readonly opts: RouterRunOptions = {}) {}

  get base(): string {
    return `http://127.0.0.1:${this.app.httpPort}`;
  }

  token(tenant: 'acme' | 'globex'): string {
    return this.tokens[`ROUTER_TOKEN_${tenant.toUpperCase()}_${this.run.toUpperCase()}`]!;
  }

  config() {
    const [acmeEnv, globexEnv] = Object.keys(this.tokens);
    return parseRouterConfig(
      {
        tenants: {
          [this.acme]: { tokenEnv: acmeEnv, ratePerSec: 1000, burst: 2000 },
          [this.globex]: { tokenEnv: globexEnv, ratePerSec: 1000, burst: 2000 },
          [this.initech]: { tokenEnv: this.missingTokenEnv },
        },
        entityTypes: {
          customer: {
            sinks: [this.pg, this.search],
            rules: [
              { field: 'email', required: true, pattern: '^[^@\\s]+@[^@\\s]+$' },
              { field: 'country', enum: ['DE', 'FR', 'GB', 'US', 'NL'] },
            ],
          },
          order: { sinks: [this.pg], rules: [{ field: 'amountCents', min: 0 }] },
          ...Object.fromEntries((this.opts.extraEntityTypes ?? []).map((t) => [t, { sinks: [this.pg] }])),
        },
        tenantOverrides: { [this.globex]: { order: { sinks: [] } } },
      },
      `router-harness ${this.run}`,
    );
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // The real entity and mesh subjects (idempotent), as tools/schemas/register.ts does.
    await registerSchemas(this.registry);
    this.routeGroupsBefore = new Set(await this.routeGroups());
    Object.assign(process.env, this.tokens);
    delete process.env[this.missingTokenEnv];
    const env = loadRouterEnv({
      ...process.env,
      ROUTER_SOURCE_TOPIC: this.sourceTopic,
      ROUTER_DEFERRED_TOPIC: this.deferredTopic,
      ROUTER_ROUTES_TOPIC: this.routesTopic,
      MESH_CONTROL_TOPIC: this.controlTopic,
      MESH_HTTP_HOST: '127.0.0.1',
      MESH_HTTP_PORT: '0',
      MESH_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`,
      MESH_CONTROL_SECRET: `control-${randomBytes(24).toString('hex')}`,
      ROUTER_SCHEMA_REFRESH_MS: '1000',
      MESH_RETRY_BASE_MS: '50',
      MESH_RETRY_CAP_MS: '500',
      MESH_RETRY_MAX_ATTEMPTS: '3',
      LOG_LEVEL: 'warn',
      ...this.opts.env,
    });
    this.app = await startRouter(env, { config: this.config(), groupId: this.groupId });
    this.groups.push(`${this.groupId}.control.${this.app.instanceId}`);
    this.producer = this.kafka.producer();
    await this.producer.connect();
    // The app created its topics (source, sinks, DLQ); read them from here on.
    const tailGroup = `router-int-tail-${this.run}`;
    this.groups.push(tailGroup);
    this.tail = await TopicTail.start(this.kafka, this.admin, { groupId: tailGroup, fromBeginning: [this.pgTopic, this.searchTopic], fromEnd: [DLQ_TOPIC] });
    await until('the router to be ready', async () => ((await fetch(`${this.base}/health/ready`)).status === 200 ? true : undefined));
  }

  /** Writes raw records to the run's source topic, as any producer would. */
  async send(messages: { key?: string; value: Buffer | string | null; headers?: Message['headers'] }[]): Promise<void> {
    await this.producer.send({ topic: this.sourceTopic, acks: -1, messages });
  }

  async detailed(): Promise<{ routes: { overrides: { applied: number; rejected: number; caughtUp: boolean }; live: number } } & Record<string, unknown>> {
    const res = await fetch(`${this.base}/health/detailed`);
    return (await res.json()) as never;
  }

  async stop(): Promise<void> {
    await this.tail?.stop().catch(() => undefined);
    await this.app?.stop('test finished');
    await this.producer?.disconnect();
    for (const name of Object.keys(this.tokens)) delete process.env[name];
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const mine = [this.sourceTopic, this.deferredTopic, this.routesTopic, this.controlTopic, this.pgTopic, this.searchTopic].filter((t) => existing.has(t));
    if (mine.length > 0) await this.admin.deleteTopics({ topics: mine, timeout: 30_000 });
    // The route listener's group of this run is empty now (others' active ones cannot be deleted).
    const routeGroups = (await this.routeGroups()).filter((g) => !this.routeGroupsBefore.has(g));
    for (const group of [...this.groups, ...routeGroups]) await this.admin.deleteGroups([group]).catch(() => undefined);
    await this.admin.disconnect();
  }

  private async routeGroups(): Promise<string[]> {
    return (await this.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('ingest-router-routes-'));
  }
}

/** A W3C traceparent of a fresh trace, and its trace id. */
export function newTrace(): { traceparent: string; traceId: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId };
}

/**
 * POSTs with node:http and resolves on the response even when the server refuses early and
 * closes the connection while the body is still being written (fetch would fail then).
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: unknown }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.end(body);
  });
}

/** Removes a test subject of the registry (soft, then permanent); only entity.itest_* ones. */
export async function deleteTestSubject(subject: string): Promise<void> {
  if (!subject.startsWith('entity.itest_')) throw new Error(`refusing to delete ${subject}: not a test subject`);
  const base = `${REGISTRY_URL}/subjects/${encodeURIComponent(subject)}`;
  for (const url of [base, `${base}?permanent=true`]) {
    const res = await fetch(url, { method: 'DELETE' });
    if (!res.ok && res.status !== 404) throw new Error(`DELETE ${url} answered ${res.status}: ${await res.text()}`);
  }
}

/** What a sink topic carries: the contract's SinkRecord. */
export type SinkRecordValue = SinkRecord;

/** A sink topic's message: the framed SinkRecord, its schema id, and the entity it carries (decoded as written). */
export async function decodeSink(catalog: SchemaCatalog, message: KafkaMessage): Promise<{ schemaId: number; record: SinkRecordValue; entity: unknown }> {
  const { schemaId, value } = await catalog.decode(message.value!);
  const record = value as SinkRecordValue;
  const entity = record.payload === null ? null : (await catalog.decode(record.payload)).value;
  return { schemaId, record, entity };
}

/** A JSON envelope as producers write it to ingest.raw. */
export function envelope(fields: { tenant: string; entityType: string; id: string; payload?: unknown } & Record<string, unknown>): string {
  return JSON.stringify({ source: 'crm', revision: 1, occurredAt: '2025-03-01T12:00:00.000Z', ...fields });
}

export const customer = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Customer ${id}`,
  email: `${id}@example.com`,
  createdAt: '2025-03-01T12:00:00Z',
  ...extra,
});
export const order = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  customerId: `c-${id}`,
  status: 'placed',
  amountCents: 1299,
  items: [{ sku: 'sku-1', qty: 2 }],
  ...extra,
});
