// replayctl's commands. Every change goes through a signed control command (the coordinator
// records the outcome, which replayctl waits for); every read comes from the store.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { OPERATOR_ENV_HELP, type ControlCommandType } from '@ingest-mesh/control';
import type { SendInput, Sender } from './control.js';
import { renderList, renderStatus, statusJson, table } from './progress.js';
import type { ReplayReader } from './read.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, blocked: 4 } as const;

export class UsageError extends Error {}

export interface CliIo {
  reader: ReplayReader;
  /** Created on first use: read-only commands need no secret. */
  sender: () => Sender;
  issuedBy: string;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Poll interval of run --wait (ms). */
  waitIntervalMs?: number;
}

export const USAGE = `usage: replayctl <command> [options]
  plan --tenant T --from ISO --to ISO --sources a,b --throttle N [--target topic] [--json]
  approve <plan> --rfa RFA-1234
  run <plan> | run --plan <plan> [--wait]
  pause|resume|cancel <plan>
  status <plan> [--json]
  list [--tenant T] [--limit N] [--json]
  hold add --tenant T --reason "…" | hold remove --tenant T | hold list [--tenant T] [--json]
exit codes: 0 ok, 1 refused / run failed or cancelled, 2 usage, 3 unreachable, 4 held or needs approval

${OPERATOR_ENV_HELP}
  ${'REPLAYCTL_USER'.padEnd(26)}replayctl's older name for MESH_OPERATOR; wins over it when set`;

const OPTIONS = {
  tenant: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  sources: { type: 'string' },
  throttle: { type: 'string' },
  target: { type: 'string' },
  plan: { type: 'string' },
  rfa: { type: 'string' },
  reason: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  wait: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { values: o, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  if (o.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (command === undefined) {
    // A usage error: the text goes to stderr, so a script capturing stdout gets nothing.
    io.err(USAGE);
    return EXIT.usage;
  }
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined || value.trim() === '') throw new UsageError(`${command} needs --${name}`);
    return value.trim();
  };
  const planArg = (): string => {
    const id = o.plan ?? rest[0];
    if (!id || !/^[0-9a-f-]{36}$/.test(id)) throw new UsageError(`${command} needs a plan id (a UUID)`);
    return id;
  };
  const send = async (input: Omit<SendInput, 'issuedBy'>): Promise<number | undefined> => {
    const { outcome } = await io.sender()({ ...input, issuedBy: io.issuedBy });
    if (outcome.outcome === 'applied') return undefined;
    io.err(`refused (${outcome.refusal}): ${outcome.message}`);
    return outcome.refusal === 'held' || outcome.refusal === 'needs-approval' ? EXIT.blocked : EXIT.failed;
  };

  switch (command) {
    case 'plan': {
      const planId = randomUUID();
      const args: Record<string, string> = {
        planId,
        sources: need('sources', o.sources),
        from: need('from', o.from),
        to: need('to', o.to),
        throttle: need('throttle', o.throttle),
      };
      if (o.target) args['target'] = o.target;
      const refused = await send({ type: 'replay_plan', tenant: need('tenant', o.tenant), args });
      if (refused !== undefined) return refused;
      const plan = (await io.reader.plan(planId))!;
      const parts = await io.reader.partitions(planId);
      if (o.json) {
        io.out(JSON.stringify(statusJson(plan, parts), null, 2));
        return EXIT.ok;
      }
      const eta = plan.throttle > 0 ? `, at most ${Math.ceil(plan.estimate / plan.throttle)} s at ${plan.throttle}/s` : '';
      io.out(
        `plan ${plan.id}\nestimate ${plan.estimate.toLocaleString('en-US')} records in the window (all tenants: an upper bound for ${plan.tenant})${eta}, ${parts.length} partitions`,
      );
      io.out(plan.approval === 'required' ? `approval required: replayctl approve ${plan.id} --rfa RFA-…` : `approved automatically: replayctl run ${plan.id}`);
      return EXIT.ok;
    }
    case 'approve': {
      const id = planArg();
      const refused = await send({ type: 'replay_approve', args: { planId: id, rfa: need('rfa', o.rfa) } });
      if (refused !== undefined) return refused;
      io.out(`plan ${id} approved by ${io.issuedBy} under ${o.rfa!.trim()}`);
      return EXIT.ok;
    }
    case 'run':
    case 'pause':
    case 'resume':
    case 'cancel': {
      const id = planArg();
      const refused = await send({ type: `replay_${command}` as ControlCommandType, args: { planId: id } });
      if (refused !== undefined) return refused;
      const plan = (await io.reader.plan(id))!;
      io.out(`plan ${id}: ${plan.status}`);
      return o.wait && (command === 'run' || command === 'resume') ? waitForEnd(id, io) : EXIT.ok;
    }
    case 'status': {
      const id = planArg();
      const plan = await io.reader.plan(id);
      if (!plan) {
        io.err(`no replay plan ${id}`);
        return EXIT.failed;
      }
      const parts = await io.reader.partitions(id);
      io.out(o.json ? JSON.stringify(statusJson(plan, parts), null, 2) : renderStatus(plan, parts));
      return EXIT.ok;
    }
    case 'list': {
      const limit = o.limit === undefined ? 50 : Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
      const plans = await io.reader.list(o.tenant, limit);
      io.out(
        o.json
          ? JSON.stringify(
              plans.map(({ now: _now, ...p }) => p),
              null,
              2,
            )
          : renderList(plans),
      );
      return EXIT.ok;
    }
    case 'hold':
      return hold(rest[0], o, io, need, send);
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function hold(
  sub: string | undefined,
  o: { tenant?: string | undefined; reason?: string | undefined; json?: boolean | undefined },
  io: CliIo,
  need: (name: string, value: string | undefined) => string,
  send: (input: Omit<SendInput, 'issuedBy'>) => Promise<number | undefined>,
): Promise<number> {
  if (sub === 'list') {
    const holds = await io.reader.holds(o.tenant);
    if (o.json) io.out(JSON.stringify(holds, null, 2));
    else
      io.out(
        holds.length === 0
          ? 'no legal holds'
          : table([['tenant', 'since', 'by', 'reason'], ...holds.map((h) => [h.tenant, h.createdAt.toISOString(), h.createdBy, h.reason])]),
      );
    return EXIT.ok;
  }
  if (sub !== 'add' && sub !== 'remove') throw new UsageError('hold needs add, remove or list');
  const tenant = need('tenant', o.tenant);
  const refused = await send({ type: 'replay_plan', tenant, args: sub === 'add' ? { hold: 'add', reason: need('reason', o.reason) } : { hold: 'remove' } });
  if (refused !== undefined) return refused;
  io.out(
    sub === 'add' ? `legal hold on tenant ${tenant}: plans and runs of ${tenant} are refused, running ones stop` : `legal hold on tenant ${tenant} removed`,
  );
  return EXIT.ok;
}

/** Follows a run to its end: 0 completed, 1 failed/cancelled/paused, 4 blocked by a hold. */
async function waitForEnd(id: string, io: CliIo): Promise<number> {
  let last = '';
  for (;;) {
    const plan = (await io.reader.plan(id))!;
    const parts = await io.reader.partitions(id);
    const read = parts.reduce((n, p) => n + Math.min(p.next, p.end) - p.start, 0);
    const total = parts.reduce((n, p) => n + p.end - p.start, 0);
    const line = `${plan.status}: ${read}/${total} read, ${plan.produced} republished`;
    if (line !== last) io.err(line);
    last = line;
    if (plan.status === 'completed') return EXIT.ok;
    if (plan.status === 'blocked') return EXIT.blocked;
    if (['failed', 'cancelled', 'paused'].includes(plan.status)) {
      if (plan.message) io.err(plan.message);
      return EXIT.failed;
    }
    await new Promise((r) => setTimeout(r, io.waitIntervalMs ?? 1000));
  }
}
