import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from './options.js';

describe('parseBenchOptions', () => {
  it('has the defaults of the targets: 1 KB Avro records, 2,500 records/s for the latency, then a sweep up to 10,000', () => {
    expect(parseBenchOptions(['--seed', '7'])).toEqual({
      records: 40_000,
      size: 1024,
      tenants: 4,
      dupPct: 5,
      badPct: 1,
      format: 'avro',
      rate: 2500,
      sweep: [5000, 7500, 10_000],
      durationSec: 20,
      fairSec: 20,
      partitions: 4,
      seed: 7,
      profile: false,
      traceRatio: 0.01,
    });
  });

  it('takes every option', () => {
    const o = parseBenchOptions([
      '--records',
      '5000',
      '--size',
      '512',
      '--tenants',
      '2',
      '--dup',
      '0',
      '--bad',
      '0',
      '--format',
      'json',
      '--rate',
      '100',
      '--sweep',
      '400, 200',
      '--duration',
      '3',
      '--fair-duration',
      '6',
      '--partitions',
      '2',
      '--seed',
      '1',
      '--profile',
      '--trace-ratio',
      '0.5',
    ]);
    expect(o).toMatchObject({
      records: 5000,
      size: 512,
      tenants: 2,
      dupPct: 0,
      badPct: 0,
      format: 'json',
      rate: 100,
      sweep: [400, 200],
      durationSec: 3,
      fairSec: 6,
      partitions: 2,
      seed: 1,
      profile: true,
      traceRatio: 0.5,
    });
  });

  it('names the option and what it expects', () => {
    expect(() => parseBenchOptions(['--records', 'lots'])).toThrow('--records must be an integer from 1000');
    expect(() => parseBenchOptions(['--format', 'xml'])).toThrow('--format must be avro or json');
    expect(() => parseBenchOptions(['--fair-duration', '1'])).toThrow('--fair-duration must be an integer from 2');
    expect(() => parseBenchOptions(['--trace-ratio', '2'])).toThrow('--trace-ratio must be a number from 0 to 1, got "2"');
    expect(() => parseBenchOptions(['--trace-ratio', 'x'])).toThrow('--trace-ratio must be a number from 0 to 1');
    expect(parseBenchOptions(['--trace-ratio', '0']).traceRatio).toBe(0);
    expect(() => parseBenchOptions(['--client', 'rdkafka'])).toThrow('--client must be kafkajs, platformatic or both, got "rdkafka"');
    expect(parseBenchOptions(['--client', 'both']).client).toBe('both');
    expect(parseBenchOptions([]).client).toBeUndefined();
    expect(() => parseBenchOptions(['--sweep', '5000,fast'])).toThrow('--sweep must be rates from 1 to 1000000 separated by commas, or none, got "5000,fast"');
    expect(() => parseBenchOptions(['--sweep', ''])).toThrow('--sweep must be rates');
    expect(parseBenchOptions(['--sweep', 'none']).sweep).toEqual([]);
    expect(() => parseBenchOptions(['--nope'])).toThrow();
  });
});
