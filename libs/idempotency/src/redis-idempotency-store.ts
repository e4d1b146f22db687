// Redis-backed dedupe store: reserve, commit and release are each ONE pipeline per batch (one
// round trip), made of one single-key Lua script call per distinct key.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InternalError } from '@ingest-mesh/reason-codes';
import type { ChainableCommander, Redis } from 'ioredis';
import { IdempotencyUnavailableError, type IdempotencyOperation } from './errors.js';
import type { IdempotencyStore, ReserveOutcome } from './idempotency-store.js';
import { distinctKeys, readIntegerReplies, type PipelineReplies } from './pipeline-replies.js';
import { COMMIT_LUA, COMMIT_REPLY, RELEASE_LUA, RESERVATION_VALUE_PREFIX, RESERVE_LUA, RESERVE_REPLY } from './redis-scripts.js';

export type WhenRedisDown = 'fail-closed' | 'fail-open';

export interface RedisIdempotencyStoreOptions {
  /** Use createRedisClient() or the same fail-fast settings (FAIL_FAST_REDIS_OPTIONS), or an outage hangs batches. */
  redis: Redis;
  /** How long a committed key is remembered. Default 7 days. */
  ttlSeconds?: number;
  /** How long a reservation lives if neither committed nor released (e.g. the process died). Default 300. */
  reservationTtlSeconds?: number;
  /** Namespace of the store's keys. Default 'mesh:dedupe:'. */
  prefix?: string;
  /** Identifies this process's reservations; must be unique per process. Default hostname/pid/random UUID. */
  owner?: string;
  /** Default 'fail-closed': operations throw IdempotencyUnavailableError and the runtime pauses. */
  whenRedisDown?: WhenRedisDown;
  /** Told about every failure swallowed in 'fail-open' mode. Default: a process warning. */
  onDegraded?: (err: IdempotencyUnavailableError) => void;
  /** close() also closes the Redis client. Default true; set false when the client is shared. */
  closeClient?: boolean;
}

/** How commitDetailed() found each key. */
export type CommitOutcome = keyof typeof COMMIT_REPLY;

export const IDEMPOTENCY_DEFAULTS = { ttlSeconds: 7 * 24 * 3600, reservationTtlSeconds: 300, prefix: 'mesh:dedupe:' } as const;

const RESERVE_OUTCOMES = invert(RESERVE_REPLY);
const COMMIT_OUTCOMES = invert(COMMIT_REPLY);

// Registered on the client with defineCommand: ioredis then sends EVAL the first time on each
// connection (also after a reconnect to a restarted, script-less server) and EVALSHA after
// that, inside the same pipeline, so no extra SCRIPT LOAD round trip is ever needed.
const SCRIPTS = { reserve: 'ingestMeshDedupeReserveV1', commit: 'ingestMeshDedupeCommitV1', release: 'ingestMeshDedupeReleaseV1' } as const;
type ScriptPipeline = ChainableCommander & Record<(typeof SCRIPTS)[IdempotencyOperation], (key: string, ...args: string[]) => ChainableCommander>;

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly owner: string;
  readonly prefix: string;
  readonly whenRedisDown: WhenRedisDown;
  private readonly redis: Redis;
  private readonly reservation: string;
  private readonly ttlMs: string;
  private readonly reservationTtlMs: string;
  private readonly onDegraded: (err: IdempotencyUnavailableError) => void;
  private readonly closeClient: boolean;
  private closed = false;

  constructor(opts: RedisIdempotencyStoreOptions) {
    const ttlSeconds = opts.ttlSeconds ?? IDEMPOTENCY_DEFAULTS.ttlSeconds;
    const reservationTtlSeconds = opts.reservationTtlSeconds ?? IDEMPOTENCY_DEFAULTS.reservationTtlSeconds;
    checkTtl('ttlSeconds', ttlSeconds);
    checkTtl('reservationTtlSeconds', reservationTtlSeconds);
    if (reservationTtlSeconds > ttlSeconds) {
      throw new RangeError(`reservationTtlSeconds (${reservationTtlSeconds}) must not exceed ttlSeconds (${ttlSeconds})`);
    }
    if (opts.whenRedisDown !== undefined && opts.whenRedisDown !== 'fail-closed' && opts.whenRedisDown !== 'fail-open') {
      throw new RangeError(`whenRedisDown must be 'fail-closed' or 'fail-open'; got ${String(opts.whenRedisDown)}`);
    }
    this.owner = opts.owner ?? `${hostname()}/${process.pid}/${randomUUID()}`;
    if (this.owner.length === 0) throw new RangeError('owner must be a non-empty string');
    this.prefix = opts.prefix ?? IDEMPOTENCY_DEFAULTS.prefix;
    this.whenRedisDown = opts.whenRedisDown ?? 'fail-closed';
    this.redis = opts.redis;
    this.reservation = RESERVATION_VALUE_PREFIX + this.owner;
    this.ttlMs = String(Math.ceil(ttlSeconds * 1000));
    this.reservationTtlMs = String(Math.ceil(reservationTtlSeconds * 1000));
    this.onDegraded = opts.onDegraded ?? ((err) => process.emitWarning(err.message, { code: 'MESH_IDEMPOTENCY_DEGRADED' }));
    this.closeClient = opts.closeClient ?? true;
    this.redis.defineCommand(SCRIPTS.reserve, { numberOfKeys: 1, lua: RESERVE_LUA });
    this.redis.defineCommand(SCRIPTS.commit, { numberOfKeys: 1, lua: COMMIT_LUA });
    this.redis.defineCommand(SCRIPTS.release, { numberOfKeys: 1, lua: RELEASE_LUA });
  }

  /**
   * A key that occurs more than once in `keys` is sent once and every occurrence gets the same
   * outcome (the caller dedupes within a batch). Fail-open: keys Redis did not answer are 'reserved'.
   */
  async reserve(keys: readonly string[]): Promise<ReserveOutcome[]> {
    const { unique, indexOf } = distinctKeys(keys);
    const { codes, error } = await this.run('reserve', unique, [this.reservation, this.reservationTtlMs]);
    if (error !== undefined) this.degrade(new IdempotencyUnavailableError('reserve', unique.length, { cause: error }));
    return indexOf.map((at) => {
      const code = codes[at];
      return code === undefined ? 'reserved' : outcomeOf(RESERVE_OUTCOMES, code, 'reserve');
    });
  }

  async commit(keys: readonly string[]): Promise<void> {
    try {
      await this.commitDetailed(keys);
    } catch (err) {
      if (!(err instanceof IdempotencyUnavailableError)) throw err;
      this.degrade(err);
    }
  }

  /** Fail-closed, it throws while Redis is down (the reservation would still expire on its own). */
  async release(keys: readonly string[]): Promise<void> {
    const { unique } = distinctKeys(keys);
    const { error } = await this.run('release', unique, [this.reservation]);
    if (error !== undefined) this.degrade(new IdempotencyUnavailableError('release', unique.length, { cause: error }));
  }

  /**
   * commit() that says what it found for each key. Always fail-closed, whatever whenRedisDown
   * says: a caller asking for facts gets an error rather than a guess.
   */
  async commitDetailed(keys: readonly string[]): Promise<CommitOutcome[]> {
    const { unique, indexOf } = distinctKeys(keys);
    const { codes, error } = await this.run('commit', unique, [this.reservation, this.ttlMs]);
    if (error !== undefined) throw new IdempotencyUnavailableError('commit', unique.length, { cause: error });
    return indexOf.map((at) => outcomeOf(COMMIT_OUTCOMES, codes[at]!, 'commit'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.closeClient || this.redis.status === 'end') return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect(); // not connected: nothing to flush, just stop reconnecting
    }
  }

  /** One pipeline: one script call per key. Never throws; failures come back as `error`. */
  private async run(operation: IdempotencyOperation, keys: string[], args: string[]) {
    if (keys.length === 0) return { codes: [], error: undefined };
    let replies: PipelineReplies;
    try {
      const pipeline = this.redis.pipeline() as ScriptPipeline;
      for (const key of keys) pipeline[SCRIPTS[operation]](this.prefix + key, ...args);
      replies = await pipeline.exec();
    } catch (error) {
      return { codes: keys.map(() => undefined), error };
    }
    return readIntegerReplies(replies, keys.length);
  }

  /** Fail-closed: throw. Fail-open: report and carry on. */
  private degrade(err: IdempotencyUnavailableError): void {
    if (this.whenRedisDown === 'fail-closed') throw err;
    try {
      this.onDegraded(err);
    } catch {
      // Reporting must not turn fail-open into a failure of the batch.
    }
  }
}

function checkTtl(name: string, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new RangeError(`${name} must be a positive number of seconds; got ${seconds}`);
}

function invert<K extends string>(codes: Record<K, number>): Map<number, K> {
  return new Map(Object.entries<number>(codes).map(([name, code]) => [code, name as K]));
}

function outcomeOf<K extends string>(outcomes: Map<number, K>, code: number, operation: IdempotencyOperation): K {
  const outcome = outcomes.get(code);
  // Only a script/version mismatch can get here: a bug, not an outage.
  if (outcome === undefined) throw new InternalError(`unexpected ${operation} script reply ${code}`);
  return outcome;
}
