// dlqtriage: reads the DLQ store directly (summary, sample, analyze, quarantine list) and changes
// it only through signed control commands that the dlq-redriver executes (redrive, quarantine
// release/archive, purge), optionally following the resulting job until it ends.
import type { ControlCommandType } from '@ingest-mesh/control';
import type { ReasonCode } from '@ingest-mesh/reason-codes';
import { parseRequest, USAGE, type Request } from './args.js';
import { loadConfig, type CliConfig } from './config.js';
import { sendCommand } from './control-sender.js';
import { CliError, EXIT } from './exit-codes.js';
import { bar, histogram, showBytes, table } from './render.js';
import { StoreReader, type JobRow, type SampleRow } from './store-reader.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** true: a progress bar redrawn in place; false: plain progress lines. */
  isTTY: boolean;
}

export async function runCli(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const req = parseRequest(argv);
    if (req.action === 'help') {
      io.out(USAGE);
      return EXIT.OK;
    }
    return await dispatch(req, loadConfig(env), io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`dlqtriage: ${err.message}${err.showUsage ? `\n\n${USAGE}` : ''}`);
      return err.exitCode;
    }
    io.err(`dlqtriage: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.UNREACHABLE;
  }
}

async function dispatch(req: Request, config: CliConfig, io: Io): Promise<number> {
  const filter = { tenant: req.tenant, reason: req.reason, app: req.app };
  const print = (human: string, json: unknown) => io.out(req.json ? JSON.stringify(json, null, 2) : human);
  if (req.action === 'redrive' || req.action === 'purge' || req.action === 'quarantine-release' || req.action === 'quarantine-archive') {
    return command(req, config, io);
  }
  const store = await StoreReader.connect(config.databaseUrl, config.schema);
  try {
    switch (req.action) {
      case 'summary': {
        const rows = await store.summary(filter);
        print(table(rows), rows);
        return EXIT.OK;
      }
      case 'sample':
      case 'quarantine-list': {
        const status = req.action === 'quarantine-list' ? 'quarantined' : undefined;
        const rows = await store.sample({ ...filter, status }, req.limit ?? (status ? 50 : 5));
        const json = rows.map((r) => ({
          ...r,
          record_key: r.record_key?.toString('base64') ?? null,
          payload: req.full ? (r.payload?.toString('base64') ?? null) : undefined,
          headers: req.full ? r.headers : undefined,
        }));
        const human = req.full
          ? rows.map((r) => fullLetter(r)).join('\n\n') || '(none)'
          : table(
              rows.map((r) => ({
                id: r.id,
                tenant: r.tenant,
                app: r.app,
                reason: r.reason,
                status: r.status,
                attempts: r.attempts,
                redrives: r.redrive_attempt,
                failed_at: r.last_failure_at,
                key: showBytes(r.record_key, 40),
                [status ? 'note' : 'error']: status ? r.status_note : r.error,
              })),
            );
        print(human, json);
        return EXIT.OK;
      }
      case 'analyze': {
        const a = await store.analyze(filter, req.hours);
        print(
          [
            `Top errors (open letters, digits folded to N):`,
            table(a.errors),
            '',
            `Letters per hour (last ${req.hours} h, UTC):`,
            histogram(a.perHour),
            '',
            'By app:',
            table(a.byApp),
          ].join('\n'),
          a,
        );
        return EXIT.OK;
      }
      default:
        throw new Error(`unhandled action ${req.action}`);
    }
  } finally {
    await store.close();
  }
}

function fullLetter(r: SampleRow): string {
  const headers = Object.entries(r.headers ?? {}).map(([k, vs]) => `    ${k}: ${vs.map((v) => showBytes(Buffer.from(v, 'base64'), 120)).join(', ')}`);
  return [
    `#${r.id}  ${r.status}  ${r.app}  ${r.reason}  tenant=${r.tenant ?? '-'}  attempts=${r.attempts}  redrives=${r.redrive_attempt}`,
    `  origin:  ${r.origin_topic ?? '-'}[${r.origin_partition ?? '-'}]@${r.origin_offset ?? '-'}   failed at ${r.last_failure_at}`,
    `  error:   ${r.error ?? '-'}`,
    ...(r.status_note ? [`  note:    ${r.status_note}`] : []),
    `  key:     ${showBytes(r.record_key)}`,
    `  payload: ${showBytes(r.payload, 2000)}`,
    '  headers:',
    ...headers,
  ].join('\n');
}

const TYPE: Record<string, ControlCommandType> = {
  redrive: 'redrive',
  purge: 'purge',
  'quarantine-release': 'quarantine_release',
  'quarantine-archive': 'quarantine_archive',
};

async function command(req: Request, config: CliConfig, io: Io): Promise<number> {
  const args: Record<string, string> = {};
  const put = (k: string, v: string | number | undefined) => {
    if (v !== undefined) args[k] = String(v);
  };
  put('limit', req.limit);
  put('rate', req.rate);
  put('since', req.since);
  put('until', req.until);
  put('ids', req.ids);
  put('olderThanDays', req.olderThanDays);
  if (req.dryRun) args['dryRun'] = 'true';
  // Open the store first when waiting: an unreachable database should fail before anything is sent.
  const store = req.wait ? await StoreReader.connect(config.databaseUrl, config.schema) : undefined;
  try {
    const cmd = await sendCommand(config, {
      type: TYPE[req.action]!,
      target: { tenant: req.tenant ?? null, reason: (req.reason as ReasonCode | undefined) ?? null, app: req.app ?? null },
      args,
    });
    if (!store) {
      io.out(
        req.json
          ? JSON.stringify({ commandId: cmd.id, type: cmd.type, sent: true })
          : `sent ${cmd.type} command ${cmd.id} (follow it with --wait, or on mesh.events)`,
      );
      return EXIT.OK;
    }
    if (!req.json) io.err(`sent ${cmd.type} command ${cmd.id}; waiting for the redriver…`);
    const job = await follow(store, cmd.id, req, io);
    return report(job, cmd.id, req, io);
  } finally {
    await store?.close();
  }
}

/** Polls the job row: it must appear (and leave `queued`) within the timeout, then run to its end. */
async function follow(store: StoreReader, id: string, req: Request, io: Io): Promise<JobRow | undefined> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const job = await store.job(id);
    if (job && (job.status === 'done' || job.status === 'failed')) {
      if (io.isTTY && !req.json && last) io.err('');
      return job;
    }
    if ((!job || job.status === 'queued') && Date.now() - started > req.timeoutMs) return job;
    // Another instance takes a silent job over after DLQ_CLAIM_TIMEOUT_MS; if none does, stop waiting.
    if (job?.status === 'running' && (job.silent_seconds ?? 0) * 1000 > Math.max(req.timeoutMs, 120_000)) return { ...job, status: 'queued' };
    if (job && job.status === 'running' && !req.json) {
      const done = job.succeeded + job.failed;
      const line = `${bar(done, job.matched)} ${done}/${job.matched} (${job.succeeded} ok, ${job.failed} failed)`;
      if (line !== last) {
        if (io.isTTY) process.stderr.write(`\r${line}`);
        else io.err(line);
        last = line;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function report(job: JobRow | undefined, id: string, req: Request, io: Io): number {
  if (!job || job.status === 'queued') {
    const why = job
      ? 'no redriver is running the job (none claimed it, or the one running it went silent)'
      : 'no redriver acknowledged the command (rejected? see control.rejected on mesh.events; or no dlq-redriver is running)';
    io.out(req.json ? JSON.stringify({ commandId: id, status: 'timeout', message: why }) : `command ${id}: ${why} within ${req.timeoutMs / 1000} s`);
    return EXIT.REJECTED;
  }
  if (req.json) io.out(JSON.stringify(job, null, 2));
  else
    io.out(
      table([
        {
          command: job.command_id,
          type: job.type,
          dry_run: job.dry_run,
          status: job.status,
          matched: job.matched,
          succeeded: job.succeeded,
          failed: job.failed,
          message: job.message,
        },
      ]),
    );
  if (job.status === 'failed' && job.message?.startsWith('rejected:')) return EXIT.REJECTED;
  return job.status === 'failed' || job.failed > 0 ? EXIT.JOB_FAILED : EXIT.OK;
}
