// The doctor's output: an aligned table for people, JSON for scripts.
import type { CheckRow } from './checks/types.js';

export interface Summary {
  pass: number;
  fail: number;
  skip: number;
}

export function summarize(rows: readonly CheckRow[]): Summary {
  const s = { pass: 0, fail: 0, skip: 0 };
  for (const r of rows) s[r.status] += 1;
  return s;
}

export function renderTable(rows: readonly CheckRow[], color = false): string {
  const head = { area: 'AREA', name: 'CHECK', status: 'STATUS', detail: 'DETAIL' };
  const widths = {
    area: Math.max(head.area.length, ...rows.map((r) => r.area.length)),
    name: Math.max(head.name.length, ...rows.map((r) => r.name.length)),
    status: 6,
  };
  const paint = (status: string, text: string) => {
    if (!color) return text;
    const code = status === 'pass' ? 32 : status === 'fail' ? 31 : 33;
    return `\u001b[${code}m${text}\u001b[0m`;
  };
  const line = (r: { area: string; name: string; status: string; detail: string }, painted = true) =>
    `${r.area.padEnd(widths.area)}  ${r.name.padEnd(widths.name)}  ${painted ? paint(r.status, r.status.toUpperCase().padEnd(widths.status)) : r.status.padEnd(widths.status)}  ${r.detail}`.trimEnd();
  const s = summarize(rows);
  return [line(head, false), ...rows.map((r) => line(r)), '', `doctor: ${s.pass} pass, ${s.fail} fail, ${s.skip} skip`].join('\n');
}

export function renderJson(rows: readonly CheckRow[]): string {
  const s = summarize(rows);
  return JSON.stringify({ ok: s.fail === 0, summary: s, checks: rows }, null, 2);
}
