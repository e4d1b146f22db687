import { ValidationError } from '@ingest-mesh/reason-codes';
import { describe, expect, it } from 'vitest';
import type { Rule } from './router-config.js';
import { compileEntityRules, compileRules, show } from './rules.js';

const check = (rule: Rule, payload: unknown) => compileRules([rule]).validate(payload);

describe('compiled rules', () => {
  it('pass a payload that satisfies every rule', () => {
    const rules: Rule[] = [
      { field: 'email', required: true, pattern: '^[^@]+@[^@]+$' },
      { field: 'name', minLength: 1, maxLength: 10 },
      { field: 'amountCents', min: 0, max: 100 },
      { field: 'country', enum: ['DE', 'FR'] },
    ];
    expect(compileRules(rules).validate({ email: 'a@b', name: 'Ada', amountCents: 100, country: 'DE' })).toBeUndefined();
  });

  it('fail "pattern" with the field, the value and the pattern', () => {
    const err = check({ field: 'email', pattern: '^[^@]+@[^@]+$' }, { email: 'x@' });
    expect(err).toBeInstanceOf(ValidationError);
    expect(err?.code).toBe('VALIDATION_FAIL');
    expect(err?.retryable).toBe(false);
    expect(err?.field).toBe('email');
    expect(err?.rule).toBe('pattern');
    expect(err?.message).toBe('VALIDATION_FAIL: rule "pattern" failed for field "email": value "x@" does not match ^[^@]+@[^@]+$');
    expect(check({ field: 'email', pattern: '@' }, { email: 42 })?.message).toContain('value 42 is not a string');
  });

  it('fail "required" on a missing or null value, and pass any present value', () => {
    const rule: Rule = { field: 'items', required: true };
    expect(check(rule, {})?.message).toBe('VALIDATION_FAIL: rule "required" failed for field "items": value is missing');
    expect(check(rule, { items: null })?.message).toBe('VALIDATION_FAIL: rule "required" failed for field "items": value is null');
    expect(check(rule, { items: [] })).toBeUndefined();
    expect(check(rule, { items: '' })).toBeUndefined();
    expect(check(rule, { items: 0 })).toBeUndefined();
  });

  it('skip the other checks of an absent value unless it is required', () => {
    expect(check({ field: 'amountCents', min: 0 }, {})).toBeUndefined();
    expect(check({ field: 'country', enum: ['DE'] }, { country: null })).toBeUndefined();
    const both = check({ field: 'amountCents', required: true, min: 0 }, {});
    expect(both?.rule).toBe('required');
  });

  it('fail "min" and "max" at the bounds they name (inclusive bounds pass)', () => {
    expect(check({ field: 'n', min: 0 }, { n: 0 })).toBeUndefined();
    expect(check({ field: 'n', min: 0 }, { n: -1 })?.message).toBe('VALIDATION_FAIL: rule "min" failed for field "n": value -1 is below the minimum 0');
    expect(check({ field: 'n', max: 10 }, { n: 10 })).toBeUndefined();
    expect(check({ field: 'n', max: 10 }, { n: 10.5 })?.message).toBe('VALIDATION_FAIL: rule "max" failed for field "n": value 10.5 is above the maximum 10');
    expect(check({ field: 'n', min: 0 }, { n: 5n })).toBeUndefined();
    expect(check({ field: 'n', max: 0 }, { n: 5n })?.rule).toBe('max');
    expect(check({ field: 'n', min: 0 }, { n: '5' })?.message).toBe('VALIDATION_FAIL: rule "min" failed for field "n": value "5" is not a number');
  });

  it('fail "minLength" and "maxLength" on strings (code points), lists and bytes', () => {
    expect(check({ field: 's', minLength: 1 }, { s: '' })?.message).toBe(
      'VALIDATION_FAIL: rule "minLength" failed for field "s": value "" has length 0, below the minimum length 1',
    );
    expect(check({ field: 's', maxLength: 2 }, { s: '😀😀' })).toBeUndefined();
    expect(check({ field: 's', maxLength: 2 }, { s: 'abc' })?.message).toBe(
      'VALIDATION_FAIL: rule "maxLength" failed for field "s": value "abc" has length 3, above the maximum length 2',
    );
    expect(check({ field: 'items', minLength: 1 }, { items: [] })?.rule).toBe('minLength');
    expect(check({ field: 'items', maxLength: 1 }, { items: [1, 2] })?.rule).toBe('maxLength');
    expect(check({ field: 'blob', maxLength: 2 }, { blob: Buffer.from('abc') })?.message).toContain('value <3 bytes> has length 3');
    expect(check({ field: 'n', minLength: 1 }, { n: 5 })?.message).toContain('value 5 is not a string or a list');
  });

  it('fail "enum" for a value outside the list', () => {
    const rule: Rule = { field: 'country', enum: ['DE', 'FR', 3] };
    expect(check(rule, { country: 'FR' })).toBeUndefined();
    expect(check(rule, { country: 3 })).toBeUndefined();
    expect(check(rule, { country: 3n })).toBeUndefined();
    expect(check(rule, { country: 'de' })?.message).toBe('VALIDATION_FAIL: rule "enum" failed for field "country": value "de" is not one of "DE", "FR", 3');
  });

  it('check nested fields and name them with dots', () => {
    const err = check({ field: 'address.zip', required: true, pattern: '^\\d{5}$' }, { address: { zip: '1234' } });
    expect(err?.field).toBe('address.zip');
    expect(check({ field: 'address.zip', required: true }, { address: null })?.field).toBe('address.zip');
  });

  it('check array elements, naming the failing index', () => {
    const rule: Rule = { field: 'items[*].qty', required: true, min: 1 };
    const payload = { items: [{ qty: 1 }, { qty: 0 }, {}] };
    const set = compileRules([rule]);
    expect(set.violations(payload)).toEqual([
      { field: 'items[1].qty', rule: 'min', problem: 'value 0 is below the minimum 1' },
      { field: 'items[2].qty', rule: 'required', problem: 'value is missing' },
    ]);
    const err = set.validate(payload);
    expect(err?.field).toBe('items[1].qty');
    expect(err?.message).toBe(
      'VALIDATION_FAIL: rule "min" failed for field "items[1].qty": value 0 is below the minimum 1 (and 1 more: rule "required" for "items[2].qty")',
    );
    expect(check({ field: 'items[0].sku', required: true }, { items: [] })?.field).toBe('items[0].sku');
    expect(check({ field: 'items[*].sku', required: true }, { items: [] })).toBeUndefined();
  });

  it('list at most a few further violations in the message', () => {
    const rules: Rule[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((field) => ({ field, required: true }));
    const err = compileRules(rules).validate({});
    expect(err?.message).toBe(
      'VALIDATION_FAIL: rule "required" failed for field "a": value is missing (and 5 more: rule "required" for "b", rule "required" for "c", rule "required" for "d", …)',
    );
  });

  it('bound long values in messages', () => {
    const err = check({ field: 's', maxLength: 3 }, { s: 'x'.repeat(10_000) });
    expect(err!.message.length).toBeLessThan(250);
    expect(err!.message).toContain('…');
    expect(show({ nested: { deep: 'x'.repeat(200) } }).length).toBeLessThanOrEqual(81);
    expect(show(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });

  it('treat a payload that is not an object as having no fields', () => {
    expect(check({ field: 'id', required: true }, null)?.rule).toBe('required');
    expect(check({ field: 'id', required: true }, 'text')?.rule).toBe('required');
  });
});

describe('compileEntityRules', () => {
  it('compiles one rule set per entity type that has rules', () => {
    const sets = compileEntityRules({
      entityTypes: {
        customer: { sinks: ['postgres'], rules: [{ field: 'email', required: true }] },
        order: { sinks: ['postgres'] },
        note: { sinks: ['postgres'], rules: [] },
      },
    });
    expect([...sets.keys()]).toEqual(['customer']);
    expect(sets.get('customer')?.size).toBe(1);
    expect(sets.get('customer')?.validate({})?.field).toBe('email');
  });
});
