// Figures the bench reports: percentiles (nearest rank), rates and ratios against a baseline.
import { peakPerWindow } from '@ingest-mesh/testing';

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN for no values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/** Items per second. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.NaN;
}

/** `value / baseline`, rounded to two decimals (how the report states it: 0.42×). */
export function ratio(value: number, baseline: number): number {
  return baseline > 0 ? Math.round((value / baseline) * 100) / 100 : Number.NaN;
}

/** The peak offered in any window: the test harness's rule, shared with the chaos run. */
export { peakPerWindow };

/** Per key (a tenant), the peak of its timestamps in any window of `windowMs`. */
export function peakPerKey(keys: readonly (string | undefined)[], timestamps: readonly number[], windowMs: number): Map<string, number> {
  const byKey = new Map<string, number[]>();
  keys.forEach((k, i) => {
    if (k === undefined) return;
    const list = byKey.get(k) ?? [];
    list.push(timestamps[i]!);
    byKey.set(k, list);
  });
  return new Map([...byKey].map(([k, ts]) => [k, peakPerWindow(ts, windowMs)]));
}
