// `--client both`: the reports of two whole bench runs, one per Kafka adapter, as one table —
// each figure of each run beside its own same-run baseline, and the ratio of the two runs.
import { fmt, type Row } from './report.js';

export interface AdapterReport {
  client: string;
  /** The report's file name under dist/bench (its time stamp). */
  file: string;
  rows: readonly Row[];
}

function cell(row: Row | undefined): string {
  if (!row) return '—';
  const ratio = row.baseline && row.baseline.value > 0 ? ` (${(row.value / row.baseline.value).toFixed(2)}× ${row.baseline.name})` : '';
  return `${fmt(row.value)} ${row.unit}${ratio}`;
}

/** One line per figure of the first report (then any only the second has), in report order. */
export function sideBySide(a: AdapterReport, b: AdapterReport): string {
  const whats = [...a.rows.map((r) => r.what), ...b.rows.map((r) => r.what).filter((w) => !a.rows.some((r) => r.what === w))];
  const lines = [`| figure | ${a.client} (${a.file}) | ${b.client} (${b.file}) | ${a.client} ÷ ${b.client} |`, '|---|---:|---:|---:|'];
  for (const what of whats) {
    const ra = a.rows.find((r) => r.what === what);
    const rb = b.rows.find((r) => r.what === what);
    const ratio = ra && rb && rb.value !== 0 ? `${(ra.value / rb.value).toFixed(2)}×` : '';
    lines.push(`| ${what} | ${cell(ra)} | ${cell(rb)} | ${ratio} |`);
  }
  return lines.join('\n');
}
