// The metric names a PromQL expression reads, for the tests that hold dashboards and alert rules
// to libs/telemetry's metric list. A small lexer, not a parser: strings, label matchers, ranges,
// grouping clauses and Grafana variables are removed; what is left that is not a function,
// keyword or number is a metric name.
import { METRIC_NAMES } from '@ingest-mesh/telemetry';

const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'inf',
  'nan',
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'histogram_quantile',
  'max_over_time',
  'min_over_time',
  'avg_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'absent',
  'absent_over_time',
  'changes',
  'resets',
  'clamp_min',
  'clamp_max',
  'abs',
  'ceil',
  'floor',
  'round',
  'label_replace',
  'label_join',
  'time',
  'timestamp',
  'vector',
  'scalar',
  'sort',
  'sort_desc',
  'predict_linear',
  'holt_winters',
  'day_of_week',
  'hour',
  'minute',
]);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\$__\w+|\$\{?\w+\}?/g, '1m')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\d+[smhdwy]/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    if (!KEYWORDS.has(m[0]) && !/^\d/.test(m[0])) names.add(m[0]);
  }
  return [...names].sort();
}

/** Every series name the mesh exports: libs/telemetry's list, with a histogram's _bucket/_sum/_count. */
export function knownSeries(): Set<string> {
  const out = new Set<string>(Object.values(METRIC_NAMES));
  out.add(`${METRIC_NAMES.lag}_bucket`).add(`${METRIC_NAMES.lag}_sum`).add(`${METRIC_NAMES.lag}_count`);
  return out;
}
