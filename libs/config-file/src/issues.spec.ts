import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssue, describeValue, formatIssues, formatPath } from './issues.js';

/** The issues zod reports for `raw` against `schema` (with the input, as the apps parse). */
function issuesOf(schema: z.ZodType, raw: unknown): z.core.$ZodIssue[] {
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) throw new Error('expected the value to be rejected');
  return result.error.issues;
}

describe('formatPath', () => {
  it('writes names with dots and indexes in brackets', () => {
    expect(formatPath(['entityTypes', 'order', 'rules', 1, 'pattern'])).toBe('entityTypes.order.rules[1].pattern');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });

  it('quotes keys that are not plain names, and symbols', () => {
    expect(formatPath(['entityTypes', 'billing.invoice', 'sinks'])).toBe('entityTypes["billing.invoice"].sinks');
    expect(formatPath(['a b'])).toBe('["a b"]');
    expect(formatPath(['x', '1st'])).toBe('x["1st"]');
    expect(formatPath(['x', 'say "hi"'])).toBe('x["say \\"hi\\""]');
    expect(formatPath(['x', Symbol('s')])).toBe('x["Symbol(s)"]');
  });

  it('names the top level', () => {
    expect(formatPath([])).toBe('(top level)');
  });

  it('quotes keys with - by default; plainKey can allow them', () => {
    expect(formatPath(['sinks', 'my-sink'])).toBe('sinks["my-sink"]');
    expect(formatPath(['sinks', 'my-sink'], { plainKey: /^[A-Za-z_][A-Za-z0-9_-]*$/ })).toBe('sinks.my-sink');
  });
});

describe('describeValue', () => {
  it('names what was found', () => {
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('a list');
    expect(describeValue({ a: 1 })).toBe('a map');
    expect(describeValue('hi')).toBe('string "hi"');
    expect(describeValue(7)).toBe('number 7');
    expect(describeValue(true)).toBe('boolean true');
  });

  it('cuts long values at 60 characters', () => {
    expect(describeValue('x'.repeat(100))).toBe(`string ${`"${'x'.repeat(100)}"`.slice(0, 60)}…`);
  });
});

describe('describeIssue', () => {
  it('invalid_type: the schema message (or zod’s expected type) and what was found', () => {
    const [own] = issuesOf(z.number({ error: 'expected a number of bytes' }), 'ten');
    expect(describeIssue(own!)).toBe('expected a number of bytes, got string "ten"');
    const [plain] = issuesOf(z.object({ a: z.string() }), {});
    expect(describeIssue(plain!)).toBe('expected string, got nothing');
  });

  it('invalid_key: the key schema’s messages', () => {
    const [issue] = issuesOf(z.record(z.string().regex(/^[a-z]+$/, { error: 'bad key' }), z.number()), { ABC: 1 });
    expect(issue!.code).toBe('invalid_key');
    expect(describeIssue(issue!)).toBe('bad key');
  });

  it('unrecognized_keys: lists the unknown keys', () => {
    const [one] = issuesOf(z.strictObject({ a: z.number().optional() }), { b: 1 });
    expect(describeIssue(one!)).toBe('unknown key "b"');
    const [two] = issuesOf(z.strictObject({ a: z.number().optional() }), { b: 1, c: 2 });
    expect(describeIssue(two!)).toBe('unknown keys "b", "c"');
  });

  it('invalid_value: the schema message by default, with the value when it says "expected"', () => {
    const [own] = issuesOf(z.enum(['a', 'b'], { error: 'expected a mode: one of a, b' }), 'c');
    expect(describeIssue(own!)).toBe('expected a mode: one of a, b, got string "c"');
    const [other] = issuesOf(z.enum(['a', 'b'], { error: 'no such mode' }), 'c');
    expect(describeIssue(other!)).toBe('no such mode');
  });

  it('invalid_value with invalidValue "values": lists the allowed values', () => {
    const [issue] = issuesOf(z.enum(['high', 'low']), 'urgent');
    expect(describeIssue(issue!, { invalidValue: 'values' })).toBe('expected one of "high", "low", got string "urgent"');
  });

  it('anything else: the message', () => {
    const [issue] = issuesOf(z.number().min(1, { error: 'expected an integer ≥ 1' }), 0);
    expect(describeIssue(issue!)).toBe('expected an integer ≥ 1');
  });
});

describe('formatIssues', () => {
  it('one "path: problem" line per issue', () => {
    const schema = z.strictObject({
      limits: z.strictObject({ max: z.number({ error: 'expected a number' }) }),
      'my-key': z.enum(['x', 'z'], { error: 'expected x or z' }).optional(),
    });
    const result = schema.safeParse({ limits: { max: 'a' }, 'my-key': 'y' }, { reportInput: true });
    expect(result.success).toBe(false);
    expect(formatIssues(result.error!)).toEqual(['limits.max: expected a number, got string "a"', '["my-key"]: expected x or z, got string "y"']);
    expect(formatIssues(result.error!, { plainKey: /^[a-z-]+$/, invalidValue: 'values' })).toEqual([
      'limits.max: expected a number, got string "a"',
      'my-key: expected one of "x", "z", got string "y"',
    ]);
  });
});
