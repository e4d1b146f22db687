// A dlq control command read into the job it asks for. Arguments arrive as strings (the command's
// args map); a bad one makes the job fail with a message the CLI shows, rather than guessing.
import type { ControlCommand, ControlCommandType } from '@ingest-mesh/control';

export const DLQ_COMMAND_TYPES = ['redrive', 'purge', 'quarantine_release', 'quarantine_archive'] as const satisfies readonly ControlCommandType[];
export type DlqCommandType = (typeof DLQ_COMMAND_TYPES)[number];

export function isDlqCommand(cmd: Pick<ControlCommand, 'type'>): cmd is ControlCommand & { type: DlqCommandType } {
  return (DLQ_COMMAND_TYPES as readonly string[]).includes(cmd.type);
}

/** Which letters a job selects. Every field narrows; tenant scoping is exact (NULL tenants never match). */
export interface LetterFilter {
  tenant: string | null;
  reason: string | null;
  app: string | null;
  since: string | null;
  until: string | null;
  ids: string[] | null;
}

export interface JobSpec {
  type: DlqCommandType;
  filter: LetterFilter;
  limit: number;
  /** Records per second; 0 = unthrottled. */
  rate: number;
  dryRun: boolean;
  olderThanDays: number | null;
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 1_000_000;
export const DEFAULT_RATE = 100;

export class JobSpecError extends Error {
  override readonly name = 'JobSpecError';
}

export function jobSpecOf(cmd: ControlCommand & { type: DlqCommandType }): JobSpec {
  const a = cmd.args;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = a[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new JobSpecError(`args.${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const time = (name: string): string | null => {
    const raw = a[name];
    if (raw === undefined || raw === '') return null;
    if (Number.isNaN(Date.parse(raw))) throw new JobSpecError(`args.${name}: expected an ISO-8601 time, got "${raw}"`);
    return new Date(raw).toISOString();
  };
  const ids = a['ids']
    ? a['ids']
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
  if (ids?.some((id) => !/^\d{1,18}$/.test(id))) throw new JobSpecError(`args.ids: expected comma-separated row ids, got "${a['ids']}"`);
  const dryRun = a['dryRun'] ?? 'false';
  if (dryRun !== 'true' && dryRun !== 'false') throw new JobSpecError(`args.dryRun: expected true or false, got "${dryRun}"`);
  const filter: LetterFilter = { tenant: cmd.target.tenant, reason: cmd.target.reason, app: cmd.target.app, since: time('since'), until: time('until'), ids };
  if (filter.since && filter.until && filter.since >= filter.until) throw new JobSpecError('args.since must be before args.until');
  const olderThanDays = cmd.type === 'purge' ? int('olderThanDays', -1, 0, 36_500) : null;
  if (olderThanDays === -1) throw new JobSpecError('args.olderThanDays is required for purge');
  return {
    type: cmd.type,
    filter,
    limit: int('limit', DEFAULT_LIMIT, 1, MAX_LIMIT),
    rate: int('rate', DEFAULT_RATE, 0, 1_000_000),
    dryRun: dryRun === 'true',
    olderThanDays,
  };
}

/** SQL conditions on dead_letters for a filter; parameters are numbered from `firstParam`. */
export function filterSql(filter: LetterFilter, firstParam: number): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (cond: (p: string) => string, value: unknown) => {
    params.push(value);
    parts.push(cond(`$${firstParam + params.length - 1}`));
  };
  if (filter.tenant !== null) add((p) => `tenant = ${p}`, filter.tenant);
  if (filter.reason !== null) add((p) => `reason = ${p}`, filter.reason);
  if (filter.app !== null) add((p) => `app = ${p}`, filter.app);
  if (filter.since !== null) add((p) => `last_failure_at >= ${p}::timestamptz`, filter.since);
  if (filter.until !== null) add((p) => `last_failure_at < ${p}::timestamptz`, filter.until);
  if (filter.ids !== null) add((p) => `id = ANY(${p}::bigint[])`, filter.ids);
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}
