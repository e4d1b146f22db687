// Progress, rate and ETA of a plan, and how replayctl prints them. Pure: from the rows only.
import type { PartitionView, PlanView } from './read.js';

export interface Progress {
  /** Offsets of the window read so far, out of `total`. */
  read: number;
  total: number;
  percent: number;
  produced: number;
  /** Of the current claim: offsets read and records republished per second. */
  readPerSec: number | null;
  producedPerSec: number | null;
  /** Seconds until the window is read, at the current read rate; null when unknown. */
  etaSeconds: number | null;
}

export function progressOf(plan: PlanView, parts: readonly PartitionView[]): Progress {
  const total = parts.reduce((n, p) => n + (p.end - p.start), 0);
  const read = parts.reduce((n, p) => n + (Math.min(p.next, p.end) - p.start), 0);
  const remaining = total - read;
  const elapsed = plan.claimedAt ? (plan.now.getTime() - plan.claimedAt.getTime()) / 1000 : 0;
  const running = plan.status === 'running' && plan.claimedAt !== null && elapsed > 0;
  const readPerSec = running ? (plan.read - plan.claimBaseRead) / elapsed : null;
  const producedPerSec = running ? (plan.produced - plan.claimBaseProduced) / elapsed : null;
  const etaSeconds = remaining === 0 ? 0 : readPerSec && readPerSec > 0 ? remaining / readPerSec : null;
  return { read, total, percent: total === 0 ? 100 : (read / total) * 100, produced: plan.produced, readPerSec, producedPerSec, etaSeconds };
}

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

const n = (x: number) => x.toLocaleString('en-US');
const rate = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)}/s`);

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderStatus(plan: PlanView, parts: readonly PartitionView[]): string {
  const p = progressOf(plan, parts);
  const approval =
    plan.approval === 'auto'
      ? 'approved automatically (below the threshold)'
      : plan.approval === 'approved'
        ? `approved by ${plan.approvedBy} at ${plan.approvedAt?.toISOString()} under ${plan.rfa}`
        : 'REQUIRED: replayctl approve ' + plan.id + ' --rfa RFA-…';
  const lines = [
    `plan      ${plan.id}`,
    `tenant    ${plan.tenant}`,
    `status    ${plan.status}${plan.message ? ` — ${plan.message}` : ''}`,
    `window    ${plan.windowFrom.toISOString()} → ${plan.windowTo.toISOString()}`,
    `sources   ${plan.sources.join(', ')} → ${plan.target ?? '(each source topic)'}`,
    `throttle  ${plan.throttle === 0 ? 'unthrottled' : `${n(plan.throttle)} records/s`}`,
    `approval  ${approval}`,
    `created   ${plan.createdAt.toISOString()} by ${plan.createdBy}`,
    ...(plan.owner ? [`owner     ${plan.owner} (lease until ${plan.leaseUntil?.toISOString()})`] : []),
    `progress  ${n(p.read)} / ${n(p.total)} read (${p.percent.toFixed(1)}%), ${n(p.produced)} republished` +
      (plan.status === 'running' ? `, ${rate(p.readPerSec)} read, ${rate(p.producedPerSec)} republished, ETA ${duration(p.etaSeconds)}` : ''),
    '',
    table([
      ['partition', 'start', 'end', 'next', 'read', 'republished', 'done'],
      ...parts.map((x) => [
        `${x.topic}/${x.partition}`,
        String(x.start),
        String(x.end),
        String(x.next),
        n(x.read),
        n(x.produced),
        x.next >= x.end ? 'yes' : `${(((x.next - x.start) / Math.max(1, x.end - x.start)) * 100).toFixed(0)}%`,
      ]),
    ]),
  ];
  return lines.join('\n');
}

export function renderList(plans: readonly PlanView[]): string {
  if (plans.length === 0) return 'no replay plans';
  return table([
    ['plan', 'tenant', 'status', 'approval', 'estimate', 'read', 'republished', 'throttle', 'created'],
    ...plans.map((p) => [
      p.id,
      p.tenant,
      p.status,
      p.approval,
      n(p.estimate),
      n(p.read),
      n(p.produced),
      p.throttle === 0 ? '-' : String(p.throttle),
      p.createdAt.toISOString(),
    ]),
  ]);
}

export function statusJson(plan: PlanView, parts: readonly PartitionView[]): Record<string, unknown> {
  const { now: _now, ...rest } = plan;
  return { ...rest, progress: progressOf(plan, parts), partitions: parts };
}
