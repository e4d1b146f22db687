// The bench's report: one row per figure, next to its baseline and target where it has them.

export interface Row {
  what: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: { value: number; atLeast: boolean };
  note?: string;
}

/** A figure as the reports print it: thousands separated from 100 on, else 1 or 2 decimals. */
export const fmt = (n: number) => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2)) : 'n/a');

export function meets(row: Row): boolean | undefined {
  if (!row.target) return undefined;
  return row.target.atLeast ? row.value >= row.target.value : row.value <= row.target.value;
}

export function markdownTable(rows: readonly Row[]): string {
  const lines = ['| figure | measured | baseline (same run) | ratio | target | |', '|---|---:|---|---:|---:|---|'];
  for (const r of rows) {
    const ratio = r.baseline && r.baseline.value > 0 ? `${(r.value / r.baseline.value).toFixed(2)}×` : '';
    const baseline = r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : '';
    const target = r.target ? `${r.target.atLeast ? '≥' : '≤'} ${fmt(r.target.value)} ${r.unit}` : '';
    const ok = meets(r);
    lines.push(
      `| ${r.what} | ${fmt(r.value)} ${r.unit} | ${baseline} | ${ratio} | ${target} | ${ok === undefined ? '' : ok ? 'met' : 'NOT met'}${r.note ? ` — ${r.note}` : ''} |`,
    );
  }
  return lines.join('\n');
}
