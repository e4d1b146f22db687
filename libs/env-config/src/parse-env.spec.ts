import { describe, expect, it } from 'vitest';
import { endpointEnv } from './endpoints.js';
import { env } from './fields.js';
import { ConfigError, parseEnv } from './parse-env.js';

// A shape like an app's: an endpoint, a port, a choice, two secrets.
const shape = {
  KAFKA_BROKERS: endpointEnv.KAFKA_BROKERS,
  MESH_HTTP_PORT: env.int(0, 65535, 8080),
  MESH_EXHAUSTED_RETRIES: env.oneOf(['dlq', 'block'] as const, 'dlq'),
  MESH_ADMIN_TOKEN: env.secret(16),
  MESH_CONTROL_SECRET: env.secret(32),
};
const valid = { MESH_ADMIN_TOKEN: 'a'.repeat(16), MESH_CONTROL_SECRET: 's'.repeat(32) };

function problemsOf(fn: () => unknown): readonly string[] {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('parseEnv', () => {
  it('applies defaults for unset variables', () => {
    const cfg = parseEnv(shape, valid);
    expect(cfg.MESH_HTTP_PORT).toBe(8080);
    expect(cfg.MESH_EXHAUSTED_RETRIES).toBe('dlq');
  });

  it('reads lists, numbers and enums', () => {
    const cfg = parseEnv(shape, { ...valid, KAFKA_BROKERS: 'a:1, b:2', MESH_HTTP_PORT: '9100', MESH_EXHAUSTED_RETRIES: 'block' });
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.MESH_HTTP_PORT).toBe(9100);
    expect(cfg.MESH_EXHAUSTED_RETRIES).toBe('block');
  });

  it('names every bad variable and what was expected, hiding secrets', () => {
    const problems = problemsOf(() => parseEnv(shape, { ...valid, MESH_HTTP_PORT: 'eighty', MESH_EXHAUSTED_RETRIES: 'drop', MESH_CONTROL_SECRET: 'short' }));
    expect(problems).toContain('MESH_HTTP_PORT: expected an integer from 0 to 65535 (got "eighty")');
    expect(problems).toContain('MESH_EXHAUSTED_RETRIES: expected one of dlq, block (got "drop")');
    expect(problems).toContain('MESH_CONTROL_SECRET: expected a secret of at least 32 characters (got (hidden))');
  });

  it('says a required secret is missing', () => {
    expect(() => parseEnv(shape, {})).toThrow(/MESH_ADMIN_TOKEN: expected a secret of at least 16 characters \(set it in the environment\) \(got nothing\)/);
  });

  it('treats blank values as unset', () => {
    expect(parseEnv({ X: env.int(1, 10, 3) }, { X: '  ' }).X).toBe(3);
  });

  it('trims values', () => {
    expect(parseEnv({ X: env.string('x') }, { X: '  value \n' }).X).toBe('value');
  });

  it('hides values of TOKEN and PASSWORD variables too', () => {
    const problems = problemsOf(() => parseEnv({ API_TOKEN: env.int(1, 2, 1), DB_PASSWORD: env.int(1, 2, 1) }, { API_TOKEN: 'abc', DB_PASSWORD: 'def' }));
    expect(problems).toEqual(['API_TOKEN: expected an integer from 1 to 2 (got (hidden))', 'DB_PASSWORD: expected an integer from 1 to 2 (got (hidden))']);
  });

  it('hides values of HEADERS variables (an OTLP header list carries the collector key)', () => {
    const problems = problemsOf(() => parseEnv({ OTEL_EXPORTER_OTLP_HEADERS: env.int(1, 2, 1) }, { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k3y' }));
    expect(problems).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: expected an integer from 1 to 2 (got (hidden))']);
  });

  it('reports every problem in the message, one per line', () => {
    const error = (() => {
      try {
        parseEnv(shape, {});
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.name).toBe('ConfigError');
    expect(error.message.split('\n')).toEqual(['invalid configuration:', ...error.problems.map((p) => `  ${p}`)]);
    expect(error.problems).toHaveLength(2);
  });
});

describe('env field types', () => {
  it('int: rejects fractions and out-of-range numbers', () => {
    const f = { N: env.int(1, 10, 5) };
    expect(problemsOf(() => parseEnv(f, { N: '1.5' }))).toEqual(['N: expected an integer from 1 to 10 (got "1.5")']);
    expect(problemsOf(() => parseEnv(f, { N: '11' }))).toEqual(['N: expected an integer from 1 to 10 (got "11")']);
    expect(problemsOf(() => parseEnv(f, { N: '0' }))).toEqual(['N: expected an integer from 1 to 10 (got "0")']);
  });

  it('bool: true/false, 1/0, yes/no', () => {
    const f = { B: env.bool(false) };
    expect(parseEnv(f, {}).B).toBe(false);
    for (const yes of ['true', '1', 'yes']) expect(parseEnv(f, { B: yes }).B).toBe(true);
    for (const no of ['false', '0', 'no']) expect(parseEnv(f, { B: no }).B).toBe(false);
    expect(problemsOf(() => parseEnv(f, { B: 'maybe' }))).toEqual(['B: expected true or false (got "maybe")']);
  });

  it('list: comma-separated, blanks dropped, never empty', () => {
    const f = { L: env.list('a,b') };
    expect(parseEnv(f, { L: ' a ,, b ' }).L).toEqual(['a', 'b']);
    expect(problemsOf(() => parseEnv(f, { L: ',' }))).toEqual(['L: expected a comma-separated list such as a,b (got ",")']);
    expect(problemsOf(() => parseEnv(f, {}))).toEqual(['L: expected a comma-separated list such as a,b (got nothing)']);
  });

  it('url: must parse as a URL', () => {
    const f = { U: env.url('http://host:1') };
    expect(parseEnv(f, { U: 'http://x:2/p' }).U).toBe('http://x:2/p');
    expect(problemsOf(() => parseEnv(f, { U: 'not a url' }))).toEqual(['U: expected a URL such as http://host:1 (got "not a url")']);
  });

  it('string and optionalString', () => {
    expect(problemsOf(() => parseEnv({ S: env.string('abc') }, {}))).toEqual(['S: expected a value such as abc (got nothing)']);
    expect(parseEnv({ O: env.optionalString() }, {}).O).toBeUndefined();
    expect(parseEnv({ O: env.optionalString() }, { O: 'x' }).O).toBe('x');
  });

  it('keeps a regular expression that compiles, as text, and names one that does not', () => {
    expect(parseEnv({ P: env.regex('^dlq\\.').default('^dlq\\.') }, {}).P).toBe('^dlq\\.');
    expect(parseEnv({ P: env.regex('^dlq\\.') }, { P: '^mesh\\.' }).P).toBe('^mesh\\.');
    expect(problemsOf(() => parseEnv({ P: env.regex('^dlq\\.') }, { P: '(' }))).toEqual(['P: expected a regular expression such as ^dlq\\. (got "(")']);
  });
});
