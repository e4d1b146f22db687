// Command line → a validated request. Pure: unit-tested without Kafka or PostgreSQL.
import { parseArgs } from 'node:util';
import { OPERATOR_ENV_HELP } from '@ingest-mesh/control';
import { isReasonCode } from '@ingest-mesh/reason-codes';
import { usage } from './exit-codes.js';

export const USAGE = `usage: dlqtriage <command> [options]          (--json for machine output)

  summary    [--tenant T] [--app A]
  sample     --reason R [--tenant T] [--app A] [--limit N] [--full]
  analyze    [--tenant T] [--app A] [--reason R] [--hours H]
  redrive    [--tenant T] [--reason R] [--app A] [--since ISO] [--until ISO]
             [--limit N] [--rate PER_SEC|0] [--dry-run] [--wait] [--timeout SEC]
  quarantine list    [--tenant T] [--reason R] [--app A] [--limit N]
  quarantine release|archive [--id 1,2] [--tenant T] [--reason R] [--app A] [--wait]
  purge      --older-than DAYS [--tenant T] [--reason R] [--app A] [--dry-run] [--wait]

exit codes: 0 ok · 1 job finished with failures · 2 usage · 3 cannot reach Kafka/registry/PostgreSQL
            4 rejected by the redriver, or no redriver acknowledged within --timeout

${OPERATOR_ENV_HELP}`;

const OPTIONS = {
  tenant: { type: 'string' },
  reason: { type: 'string' },
  app: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  rate: { type: 'string' },
  hours: { type: 'string' },
  id: { type: 'string' },
  'older-than': { type: 'string' },
  timeout: { type: 'string' },
  'dry-run': { type: 'boolean' },
  wait: { type: 'boolean' },
  full: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Action = 'summary' | 'sample' | 'analyze' | 'redrive' | 'quarantine-list' | 'quarantine-release' | 'quarantine-archive' | 'purge' | 'help';

export interface Request {
  action: Action;
  tenant?: string;
  reason?: string;
  app?: string;
  since?: string;
  until?: string;
  limit?: number;
  rate?: number;
  hours: number;
  ids?: string;
  olderThanDays?: number;
  dryRun: boolean;
  wait: boolean;
  full: boolean;
  json: boolean;
  timeoutMs: number;
}

export function parseRequest(argv: readonly string[]): Request {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage(err instanceof Error ? err.message : String(err));
  }
  const { values: v, positionals: pos } = parsed;
  const action = actionOf(pos, v.help === true);
  const int = (name: string, raw: string | undefined, min: number, max: number) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw usage(`--${name}: expected an integer from ${min} to ${max} (got "${raw}")`);
    return n;
  };
  const time = (name: string, raw: string | undefined) => {
    if (raw !== undefined && Number.isNaN(Date.parse(raw))) throw usage(`--${name}: expected an ISO-8601 time such as 2025-01-01T00:00Z (got "${raw}")`);
    return raw === undefined ? undefined : new Date(raw).toISOString();
  };
  if (v.reason !== undefined && !isReasonCode(v.reason))
    throw usage(`--reason: "${v.reason}" is not a reason code (docs/reason-codes.md), e.g. CONNECTION_ERROR`);
  if (v.id !== undefined && !/^\d+(,\d+)*$/.test(v.id)) throw usage(`--id: expected comma-separated row ids (got "${v.id}")`);
  const req: Request = {
    action,
    hours: int('hours', v.hours, 1, 24 * 90) ?? 24,
    dryRun: v['dry-run'] === true,
    // A dry run is only useful with its answer: it always waits.
    wait: v.wait === true || v['dry-run'] === true,
    full: v.full === true,
    json: v.json === true,
    timeoutMs: (int('timeout', v.timeout, 1, 3600) ?? 30) * 1000,
  };
  const set = <K extends keyof Request>(k: K, value: Request[K] | undefined) => {
    if (value !== undefined) req[k] = value;
  };
  set('tenant', v.tenant);
  set('reason', v.reason);
  set('app', v.app);
  set('since', time('since', v.since));
  set('until', time('until', v.until));
  set('limit', int('limit', v.limit, 1, 1_000_000));
  set('rate', int('rate', v.rate, 0, 1_000_000));
  set('ids', v.id);
  set('olderThanDays', int('older-than', v['older-than'], 0, 36_500));
  if (action === 'sample' && req.reason === undefined) throw usage('sample needs --reason (e.g. --reason CONNECTION_ERROR)');
  if (action === 'purge' && req.olderThanDays === undefined) throw usage('purge needs --older-than DAYS');
  if (req.since && req.until && req.since >= req.until) throw usage('--since must be before --until');
  return req;
}

function actionOf(pos: readonly string[], help: boolean): Action {
  if (help || pos.length === 0 || pos[0] === 'help') return 'help';
  const [cmd, sub] = pos;
  const expectArgs = (n: number) => {
    if (pos.length !== n) throw usage(`unexpected argument "${pos[n]}"`);
  };
  switch (cmd) {
    case 'summary':
    case 'sample':
    case 'analyze':
    case 'redrive':
    case 'purge':
      expectArgs(1);
      return cmd;
    case 'quarantine':
      if (sub !== 'list' && sub !== 'release' && sub !== 'archive') throw usage('quarantine needs one of: list, release, archive');
      expectArgs(2);
      return `quarantine-${sub}`;
    default:
      throw usage(`unknown command "${cmd}"; try dlqtriage --help`);
  }
}
