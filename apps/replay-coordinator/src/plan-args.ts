// The arguments of replay commands (ControlCommand.args is map<string,string>), parsed and
// checked before anything touches Kafka or PostgreSQL. replayctl builds them with the same names.
import type { ControlCommand } from '@ingest-mesh/control';
import { PlanArgsError } from './errors.js';

export interface PlanRequest {
  planId: string;
  tenant: string;
  sources: string[];
  /** undefined = back to each record's own source topic. */
  target: string | undefined;
  from: Date;
  to: Date;
  /** Records per second; 0 = unthrottled. */
  throttle: number;
}

export interface PlanLimits {
  maxThrottle: number;
  allowUnthrottled: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
// Full ISO-8601 instants only (a zone is required): a window must not depend on the server's zone.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function planIdOf(cmd: Pick<ControlCommand, 'args'>): string {
  const id = cmd.args['planId'];
  if (id === undefined || !UUID.test(id)) throw new PlanArgsError(`args.planId must be a lower-case UUID (got ${JSON.stringify(id ?? null)})`);
  return id;
}

export function parseInstant(name: string, text: string | undefined): Date {
  if (text === undefined || !ISO.test(text))
    throw new PlanArgsError(`${name} must be an ISO-8601 instant with a zone, such as 2025-01-01T00:00Z (got ${JSON.stringify(text ?? null)})`);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new PlanArgsError(`${name} is not a valid instant: ${text}`);
  return d;
}

export function parsePlanRequest(cmd: Pick<ControlCommand, 'args' | 'target'>, limits: PlanLimits): PlanRequest {
  const planId = planIdOf(cmd);
  const tenant = cmd.target.tenant;
  if (!tenant) throw new PlanArgsError('a replay plan needs target.tenant (replayctl plan --tenant T)');
  const sources = (cmd.args['sources'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (sources.length === 0) throw new PlanArgsError('args.sources must name at least one topic (--sources topicA,topicB)');
  const bad = [...sources, ...(cmd.args['target'] ? [cmd.args['target']] : [])].find((t) => !TOPIC.test(t));
  if (bad !== undefined) throw new PlanArgsError(`${JSON.stringify(bad)} is not a valid topic name`);
  if (new Set(sources).size !== sources.length) throw new PlanArgsError('args.sources names a topic twice');
  const from = parseInstant('args.from', cmd.args['from']);
  const to = parseInstant('args.to', cmd.args['to']);
  if (to.getTime() <= from.getTime()) throw new PlanArgsError(`the window is empty: to (${to.toISOString()}) must be after from (${from.toISOString()})`);
  const throttleText = cmd.args['throttle'];
  if (throttleText === undefined || !/^\d{1,9}$/.test(throttleText))
    throw new PlanArgsError(`args.throttle must be a whole number of records per second (got ${JSON.stringify(throttleText ?? null)})`);
  const throttle = Number(throttleText);
  if (throttle === 0 && !limits.allowUnthrottled)
    throw new PlanArgsError('an unthrottled replay (--throttle 0) is not allowed here (REPLAY_ALLOW_UNTHROTTLED=false)');
  if (throttle > limits.maxThrottle)
    throw new PlanArgsError(`--throttle ${throttle} is above the allowed maximum ${limits.maxThrottle} records/s (REPLAY_MAX_THROTTLE)`);
  return { planId, tenant, sources, target: cmd.args['target'] || undefined, from, to, throttle };
}
