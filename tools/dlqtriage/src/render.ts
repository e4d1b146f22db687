// Human output: aligned tables and a progress line. --json output bypasses all of this.

export type Cell = string | number | boolean | null | undefined;

export function table(rows: readonly Record<string, Cell>[], columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0]!);
  const text = (v: Cell) => (v === null || v === undefined ? '-' : String(v).replace(/\s+/g, ' '));
  const widths = cols.map((c) => Math.min(80, Math.max(c.length, ...rows.map((r) => text(r[c]).length))));
  const fit = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (cells: string[]) =>
    cells
      .map((s, i) => fit(s, widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...rows.map((r) => line(cols.map((c) => text(r[c]))))].join('\n');
}

/** A bar of `width` cells for done/total. */
export function bar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(ratio * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(Math.round(ratio * 100)).padStart(3)}%`;
}

/** Histogram rows: hour, count and a bar scaled to the busiest hour. */
export function histogram(rows: readonly { hour: string; letters: number }[], width = 40): string {
  if (rows.length === 0) return '(no letters in the window)';
  const max = Math.max(...rows.map((r) => r.letters));
  return rows.map((r) => `${r.hour}  ${String(r.letters).padStart(7)}  ${'█'.repeat(Math.max(1, Math.round((r.letters / max) * width)))}`).join('\n');
}

/** Bytes for a person: UTF-8 when printable, else base64. */
export function showBytes(b: Buffer | null, max = 200): string {
  if (b === null) return '-';
  const text = b.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const printable = !text.includes('\uFFFD') && !/[\u0000-\u0008\u000E-\u001F]/.test(text);
  const shown = printable ? text : `base64:${b.toString('base64')}`;
  return shown.length > max ? `${shown.slice(0, max)}… (${b.length} bytes)` : shown;
}
