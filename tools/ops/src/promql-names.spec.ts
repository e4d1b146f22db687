import { describe, expect, it } from 'vitest';
import { knownSeries, metricNames } from './promql-names.js';

describe('metricNames', () => {
  it('finds the series of an expression, not functions, labels, strings or grouping', () => {
    expect(metricNames('sum by (app, le) (rate(ingest_lag_seconds_bucket{app=~"$app",le!="rate"}[$__rate_interval])) > 60')).toEqual([
      'ingest_lag_seconds_bucket',
    ]);
    expect(metricNames('a_total / on (app) group_left b_info unless c offset 1h')).toEqual(['a_total', 'b_info', 'c']);
    expect(metricNames('histogram_quantile(0.95, x) >= 300 and absent(y{app="z"})')).toEqual(['x', 'y']);
  });

  it('knows the histogram series of ingest_lag_seconds', () => {
    expect(knownSeries().has('ingest_lag_seconds_bucket')).toBe(true);
    expect(knownSeries().has('ingest_lag_seconds_total')).toBe(false);
  });
});
