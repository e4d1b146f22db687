// Hot route overrides: every router instance reads the whole compacted topic mesh.routes from
// the beginning (a fresh consumer group per start, nothing committed) and applies each record to
// its RouteTable. start() resolves once the records present at start are applied, so routing
// begins with every override known; later records apply within a fetch.
import { randomUUID } from 'node:crypto';
import { ensureTopics } from '@ingest-mesh/kafka-runtime';
import type { Admin, Consumer, KafkaClient, KafkaLogger } from '@ingest-mesh/kafka-client';
import type { RouteTable } from './routes.js';

export const ROUTES_TOPIC = 'mesh.routes';

/** Creates the routes topic (1 partition, cleanup.policy=compact) when missing; true if created. */
export async function ensureRoutesTopic(admin: Admin, topic: string = ROUTES_TOPIC): Promise<boolean> {
  const created = await ensureTopics(admin, [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
  return created.length > 0;
}

export interface RouteOverridesStatus {
  topic: string;
  caughtUp: boolean;
  applied: number;
  rejected: number;
  lastRejection?: string;
  /** Set when the consumer crashed for good: overrides published since are not applied. */
  crashed?: string;
}

export interface RouteOverridesListenerOptions {
  kafka: KafkaClient;
  table: RouteTable;
  logger: KafkaLogger;
  topic?: string;
  /** Group ids are `<prefix>-<uuid>`, new on every start. Default `ingest-router-routes`. */
  groupIdPrefix?: string;
  /** Create the topic when missing (default true). */
  createTopic?: boolean;
  /**
   * Fallback for a tail the consumer can never reach (e.g. a compacted-away tombstone at the
   * end): caught up when no record arrived for this long after joining. Default 10 s.
   */
  idleCatchUpMs?: number;
}

export class RouteOverridesListener {
  readonly topic: string;
  private consumer: Consumer | undefined;
  private readonly stats: RouteOverridesStatus;
  /** Last offset applied per partition: a consumer restart re-reads; old records are skipped. */
  private readonly appliedUpTo = new Map<number, bigint>();

  constructor(private readonly opts: RouteOverridesListenerOptions) {
    this.topic = opts.topic ?? ROUTES_TOPIC;
    this.stats = { topic: this.topic, caughtUp: false, applied: 0, rejected: 0 };
  }

  status(): RouteOverridesStatus {
    return { ...this.stats };
  }

  /** Resolves once every record present at start has been applied. */
  async start(): Promise<void> {
    const { kafka, logger } = this.opts;
    const admin = kafka.admin();
    await admin.connect();
    let targets: Map<number, bigint>;
    try {
      if (this.opts.createTopic ?? true) {
        if (await ensureRoutesTopic(admin, this.topic)) logger.info({ topic: this.topic }, 'created the route overrides topic');
      }
      const offsets = await admin.fetchTopicOffsets(this.topic);
      // Partition → last offset present now; partitions with nothing in them need no catching up.
      targets = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
    } finally {
      await admin.disconnect();
    }

    const consumer = kafka.consumer({ groupId: `${this.opts.groupIdPrefix ?? 'ingest-router-routes'}-${randomUUID()}` });
    this.consumer = consumer;
    let lastActivity = Date.now();
    let joined = false;
    let markCaughtUp = () => {};
    const caughtUp = new Promise<void>((resolve) => {
      markCaughtUp = () => {
        if (this.stats.caughtUp) return;
        this.stats.caughtUp = true;
        resolve();
      };
    });
    const checkCaughtUp = () => {
      for (const [partition, last] of targets) {
        const applied = this.appliedUpTo.get(partition);
        if (applied === undefined || applied < last) return;
      }
      markCaughtUp();
    };
    consumer.onGroupJoin(() => {
      joined = true;
      lastActivity = Date.now();
    });
    let crashed: ((err: Error) => void) | undefined;
    const crash = new Promise<never>((_, reject) => {
      crashed = reject;
    });
    crash.catch(() => {});
    consumer.onCrash(({ error, restart }) => {
      logger.error({ err: error, topic: this.topic, restart }, 'route overrides consumer crashed');
      if (restart) return;
      this.stats.crashed = error.message;
      if (!this.stats.caughtUp) crashed?.(error);
    });

    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    } catch (err) {
      await this.stop().catch(() => {});
      throw err;
    }
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        lastActivity = Date.now();
        const offset = BigInt(message.offset);
        const seen = this.appliedUpTo.get(partition);
        if (seen !== undefined && offset <= seen) return;
        this.apply(message.key, message.value, partition, message.offset);
        this.appliedUpTo.set(partition, offset);
        if (!this.stats.caughtUp) checkCaughtUp();
      },
    });
    checkCaughtUp();

    const idleMs = this.opts.idleCatchUpMs ?? 10_000;
    const idle = setInterval(
      () => {
        if (this.stats.caughtUp) return clearInterval(idle);
        if (joined && Date.now() - lastActivity >= idleMs) {
          const behind = [...targets].filter(([p, last]) => (this.appliedUpTo.get(p) ?? -1n) < last).map(([p, last]) => `${p}@${last}`);
          logger.warn({ topic: this.topic, behind }, 'route overrides: no record for a while below the end offsets seen at start; treating as caught up');
          markCaughtUp();
        }
      },
      Math.min(1000, idleMs),
    );
    idle.unref();
    try {
      await Promise.race([caughtUp, crash]);
    } catch (err) {
      await this.stop().catch(() => {});
      throw err;
    } finally {
      clearInterval(idle);
    }
    logger.info({ topic: this.topic, overrides: Object.keys(this.opts.table.overrides()).length }, 'route overrides loaded');
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private apply(key: Buffer | null, value: Buffer | null, partition: number, offset: string): void {
    const { logger, table } = this.opts;
    const where = { topic: this.topic, partition, offset };
    if (key === null) return this.reject(where, 'record without a key');
    const k = key.toString('utf8');
    const result = table.applyOverride(k, value);
    if (!result.ok) return this.reject({ ...where, key: k }, result.error);
    this.stats.applied++;
    if (result.change === 'unchanged') return;
    const now = table.overrides()[k];
    logger.info({ ...where, key: k, override: now ?? null }, now ? `route override set for ${k}` : `route override removed for ${k}`);
  }

  private reject(where: object, error: string): void {
    this.stats.rejected++;
    this.stats.lastRejection = error;
    this.opts.logger.warn({ ...where, error }, 'route overrides: skipped an invalid record');
  }
}
